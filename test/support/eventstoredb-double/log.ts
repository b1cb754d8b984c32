/**
 * The double's storage: one in-memory transaction log in append order, and an index of streams into
 * it. It keeps just enough of EventStoreDB's rules to exercise a client: expected-revision checks,
 * idempotent retries of the same event ids, MaxAppendSize, streams deleted for good (tombstoned),
 * and `{ commit, prepare }` positions laid out like a real log (a batch's events share the commit
 * position of the batch's first record; each has its own prepare position).
 */

export type StoredEvent = {
  streamId: string;
  revision: bigint;
  commit: bigint;
  prepare: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB sends `created`. */
  created: bigint;
};

export type ProposedEvent = Pick<StoredEvent, "id" | "type" | "contentType" | "data" | "metadata">;

export type Expected =
  | { kind: "any" }
  | { kind: "no_stream" }
  | { kind: "stream_exists" }
  | { kind: "revision"; revision: bigint };

export type AppendOutcome =
  | { kind: "success"; currentRevision: bigint | undefined; commit: bigint; prepare: bigint }
  | { kind: "wrong_expected_version"; current: bigint | undefined }
  | { kind: "too_large"; maxAppendSize: number }
  | { kind: "stream_deleted" };

export type TombstoneOutcome =
  | { kind: "success"; commit: bigint; prepare: bigint }
  | { kind: "wrong_expected_version"; current: bigint | undefined }
  | { kind: "stream_deleted" };

/** The revision EventStoreDB gives a stream's tombstone record (EventNumber.DeletedStream, long.MaxValue). */
const TOMBSTONE_REVISION = (1n << 63n) - 1n;

/** Where the first event lands: a real log starts with the server's own records. */
const FIRST_LOG_POSITION = 4_096n;
/** Bytes of record framing per event, so positions grow like byte offsets. */
const RECORD_OVERHEAD = 96n;

export const comparePositions = (
  a: { commit: bigint; prepare: bigint },
  b: { commit: bigint; prepare: bigint },
): number =>
  a.commit !== b.commit
    ? a.commit < b.commit
      ? -1
      : 1
    : a.prepare === b.prepare
      ? 0
      : a.prepare < b.prepare
        ? -1
        : 1;

export class EventLog {
  /** The $all stream, in log order. */
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private nextLogPosition = FIRST_LOG_POSITION;
  private readonly appendListeners = new Set<() => void>();
  /** Streams deleted for good: refused to every append and read from then on, as EventStoreDB does. */
  private readonly tombstoned = new Set<string>();

  constructor(readonly maxAppendSize: number) {}

  stream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** Index in `all` of the first event after `position` (exclusive). */
  indexAfter(position: { commit: bigint; prepare: bigint }): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions(this.all[mid]!, position) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  isTombstoned(streamId: string): boolean {
    return this.tombstoned.has(streamId);
  }

  /**
   * Deletes a stream for good: its events stay in $all (until a scavenge, which
   * the double never runs), followed by a `$streamDeleted` record in the stream.
   */
  tombstone(streamId: string, expected: Expected): TombstoneOutcome {
    if (this.tombstoned.has(streamId)) return { kind: "stream_deleted" };
    const current = this.streams.get(streamId)?.at(-1)?.revision;
    if (!this.holds(expected, current)) return { kind: "wrong_expected_version", current };
    const position = this.nextLogPosition;
    this.nextLogPosition += RECORD_OVERHEAD;
    const record: StoredEvent = {
      streamId,
      revision: TOMBSTONE_REVISION,
      commit: position,
      prepare: position,
      id: crypto.randomUUID(),
      type: "$streamDeleted",
      contentType: "application/octet-stream",
      data: new Uint8Array(),
      metadata: new Uint8Array(),
      created: BigInt(Date.now()) * 10_000n,
    };
    this.all.push(record);
    this.tombstoned.add(streamId);
    for (const listener of [...this.appendListeners]) listener();
    return { kind: "success", commit: position, prepare: position };
  }

  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  append(streamId: string, expected: Expected, proposed: readonly ProposedEvent[]): AppendOutcome {
    let size = 0;
    for (const e of proposed) size += Buffer.byteLength(e.type) + e.data.length + e.metadata.length;
    if (size > this.maxAppendSize) return { kind: "too_large", maxAppendSize: this.maxAppendSize };
    if (this.tombstoned.has(streamId)) return { kind: "stream_deleted" };

    const events = this.streams.get(streamId);
    const last = events?.at(-1);
    const current = last?.revision;

    const retried = this.idempotentRetry(events, expected, proposed);
    if (retried !== undefined) {
      return {
        kind: "success",
        currentRevision: retried.revision,
        commit: retried.commit,
        prepare: retried.prepare,
      };
    }

    if (!this.holds(expected, current)) return { kind: "wrong_expected_version", current };

    if (proposed.length === 0) {
      return {
        kind: "success",
        currentRevision: current,
        commit: last?.commit ?? 0n,
        prepare: last?.prepare ?? 0n,
      };
    }

    const stream = events ?? [];
    const commit = this.nextLogPosition;
    const created = BigInt(Date.now()) * 10_000n;
    let revision = current ?? -1n;
    let written: StoredEvent | undefined;
    for (const e of proposed) {
      revision += 1n;
      const prepare = this.nextLogPosition;
      this.nextLogPosition +=
        RECORD_OVERHEAD +
        BigInt(
          Buffer.byteLength(streamId) +
            Buffer.byteLength(e.type) +
            e.data.length +
            e.metadata.length,
        );
      written = { ...e, streamId, revision, commit, prepare, created };
      stream.push(written);
      this.all.push(written);
    }
    this.streams.set(streamId, stream);
    for (const listener of [...this.appendListeners]) listener();
    return {
      kind: "success",
      currentRevision: written!.revision,
      commit: written!.commit,
      prepare: written!.prepare,
    };
  }

  private holds(expected: Expected, current: bigint | undefined): boolean {
    return (
      expected.kind === "any" ||
      (expected.kind === "no_stream" && current === undefined) ||
      (expected.kind === "stream_exists" && current !== undefined) ||
      (expected.kind === "revision" && current === expected.revision)
    );
  }

  /**
   * EventStoreDB acknowledges a retry of events it already wrote (same ids, in
   * order, at the expected place) without writing them again.
   */
  private idempotentRetry(
    events: readonly StoredEvent[] | undefined,
    expected: Expected,
    proposed: readonly ProposedEvent[],
  ): StoredEvent | undefined {
    if (events === undefined || proposed.length === 0) return undefined;
    let start: number;
    if (expected.kind === "no_stream") start = 0;
    else if (expected.kind === "revision") start = Number(expected.revision) + 1;
    else start = events.findIndex((e) => e.id === proposed[0]!.id);
    if (start < 0 || start + proposed.length > events.length) return undefined;
    for (let i = 0; i < proposed.length; i += 1) {
      if (events[start + i]!.id !== proposed[i]!.id) return undefined;
    }
    return events[start + proposed.length - 1];
  }
}
