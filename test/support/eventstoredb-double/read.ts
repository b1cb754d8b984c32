/**
 * `Streams.Read`: reads of one stream (forwards/backwards, with a count),
 * reads of `$all` (a tombstoned stream's read fails with `stream-deleted`), and catch-up
 * subscriptions to `$all` with a stream-name or event-type filter. A subscription sends, in order:
 * its confirmation, the matching events after the start position (with checkpoints while a filter
 * skips events), a caught-up message, then live events as they are appended. Every write respects
 * the call's flow control, as a server does, so a slow client holds the double back instead of
 * making it buffer.
 */
import * as grpc from "@grpc/grpc-js";
import { streamDeletedStatus } from "./append.js";
import { type EventLog, type StoredEvent } from "./log.js";
import { streamIdentifier, streamName, streamsPb, uuid, type StreamsServer } from "./proto.js";

const { ReadReq, ReadResp } = streamsPb;
type ReadCall = grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;

/** Live subscriptions, so the test can cut them all at once. */
export type SubscriptionRegistry = {
  add(drop: (status: Partial<grpc.StatusObject>) => void): () => void;
  started(): void;
  sent(): void;
};

/** Writes to a server-streaming call with back-pressure; knows when the call has ended. */
class Outbox {
  private ended = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly call: ReadCall) {
    const stop = (): void => {
      this.ended = true;
      this.wakeAll();
    };
    call.on("cancelled", stop);
    call.on("close", stop);
    call.on("error", stop);
    call.on("drain", () => this.wakeAll());
  }

  get open(): boolean {
    return !this.ended;
  }

  async send(message: streamsPb.ReadResp): Promise<boolean> {
    if (this.ended) return false;
    if (!this.call.write(message)) await this.until(() => true);
    return !this.ended;
  }

  /** Resolves on the next drain, end of call, or `subscribe` firing. */
  until(subscribe: (wake: () => void) => (() => void) | true): Promise<void> {
    return new Promise((resolve) => {
      let unsubscribe: (() => void) | undefined;
      const wake = (): void => {
        this.wakers.delete(wake);
        unsubscribe?.();
        resolve();
      };
      this.wakers.add(wake);
      const off = subscribe(wake);
      if (off !== true) unsubscribe = off;
      if (this.ended) wake();
    });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.end();
    this.wakeAll();
  }

  fail(status: Partial<grpc.StatusObject>): void {
    if (this.ended) return;
    this.ended = true;
    this.call.emit("error", status);
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

function position(commit: bigint, prepare: bigint) {
  return { commit, prepare };
}

function readEvent(e: StoredEvent): streamsPb.ReadResp {
  const record = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuid(e.id))
    .setStreamIdentifier(streamIdentifier(e.streamId))
    .setStreamRevision(e.revision.toString())
    .setPreparePosition(e.prepare.toString())
    .setCommitPosition(e.commit.toString())
    .setCustomMetadata(e.metadata)
    .setData(e.data);
  record
    .getMetadataMap()
    .set("type", e.type)
    .set("content-type", e.contentType)
    .set("created", e.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(record).setCommitPosition(e.commit.toString());
  return new ReadResp().setEvent(event);
}

function checkpoint(e: StoredEvent): streamsPb.ReadResp {
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint()
      .setCommitPosition(e.commit.toString())
      .setPreparePosition(e.prepare.toString()),
  );
}

type Filter = { matches: (e: StoredEvent) => boolean; checkpointEvery: number } | undefined;

function filterOf(options: streamsPb.ReadReq.Options): Filter {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter()!;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() === "" ? undefined : new RegExp(expression.getRegex());
  const field = (e: StoredEvent): string => (onType ? e.type : e.streamId);
  const matches = (e: StoredEvent): boolean =>
    prefixes.length > 0
      ? prefixes.some((p) => field(e).startsWith(p))
      : regex === undefined || regex.test(field(e));
  const window = filter.hasMax() ? filter.getMax() : 32;
  return {
    matches,
    checkpointEvery: Math.max(1, filter.getCheckpointintervalmultiplier()) * window,
  };
}

export function readHandler(
  log: EventLog,
  subscriptions: SubscriptionRegistry,
): StreamsServer["read"] {
  return (call: ReadCall) => {
    const options = call.request.getOptions();
    const out = new Outbox(call);
    if (options === undefined) {
      out.fail({ code: grpc.status.INVALID_ARGUMENT, details: "options are required" });
      return;
    }
    const run = options.hasSubscription()
      ? options.hasAll()
        ? subscribeToAll(log, options, out, subscriptions)
        : Promise.resolve(
            out.fail({
              code: grpc.status.UNIMPLEMENTED,
              details: "stream subscriptions: not in the double",
            }),
          )
      : options.hasAll()
        ? readAll(log, options, out)
        : readStream(log, options, out);
    run.catch((error: unknown) => out.fail({ code: grpc.status.INTERNAL, details: String(error) }));
  };
}

async function readStream(
  log: EventLog,
  options: streamsPb.ReadReq.Options,
  out: Outbox,
): Promise<void> {
  const streamOptions = options.getStream()!;
  const name = streamName(streamOptions.getStreamIdentifier());
  // A stream deleted for good is not "not found": the call fails with the exception, as on the
  // server.
  if (log.isTombstoned(name)) return out.fail(streamDeletedStatus(name));
  const events = log.stream(name);
  if (events === undefined) {
    await out.send(
      new ReadResp().setStreamNotFound(
        new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name)),
      ),
    );
    return out.end();
  }
  const last = events.length - 1;
  const count = BigInt(options.getCount());
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const from = streamOptions.hasRevision()
    ? Number(streamOptions.getRevision())
    : streamOptions.hasEnd()
      ? backwards
        ? last
        : last + 1
      : 0;
  let sent = 0n;
  if (backwards) {
    for (let i = Math.min(from, last); i >= 0 && sent < count; i -= 1, sent += 1n) {
      if (!(await out.send(readEvent(events[i]!)))) return;
    }
  } else {
    for (let i = from; i <= last && sent < count; i += 1, sent += 1n) {
      if (!(await out.send(readEvent(events[i]!)))) return;
    }
  }
  out.end();
}

/** Forwards reads include the event at a given position; backwards reads start before it. */
async function readAll(
  log: EventLog,
  options: streamsPb.ReadReq.Options,
  out: Outbox,
): Promise<void> {
  const all = options.getAll()!;
  const count = BigInt(options.getCount());
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const filter = filterOf(options);
  const at = all.hasPosition()
    ? position(
        BigInt(all.getPosition()!.getCommitPosition()),
        BigInt(all.getPosition()!.getPreparePosition()),
      )
    : undefined;
  const snapshot = log.all.length;
  let sent = 0n;
  if (backwards) {
    let i = at !== undefined ? log.indexAfter(at) - 1 : all.hasStart() ? -1 : snapshot - 1;
    if (
      at !== undefined &&
      i >= 0 &&
      log.all[i]!.commit === at.commit &&
      log.all[i]!.prepare === at.prepare
    )
      i -= 1;
    for (; i >= 0 && sent < count; i -= 1) {
      const e = log.all[i]!;
      if (filter !== undefined && !filter.matches(e)) continue;
      if (!(await out.send(readEvent(e)))) return;
      sent += 1n;
    }
  } else {
    let i = all.hasEnd() ? snapshot : 0;
    if (at !== undefined) {
      i = log.indexAfter(at);
      const previous = log.all[i - 1];
      if (
        previous !== undefined &&
        previous.commit === at.commit &&
        previous.prepare === at.prepare
      )
        i -= 1;
    }
    for (; i < snapshot && sent < count; i += 1) {
      const e = log.all[i]!;
      if (filter !== undefined && !filter.matches(e)) continue;
      if (!(await out.send(readEvent(e)))) return;
      sent += 1n;
    }
  }
  out.end();
}

async function subscribeToAll(
  log: EventLog,
  options: streamsPb.ReadReq.Options,
  out: Outbox,
  subscriptions: SubscriptionRegistry,
): Promise<void> {
  const unregister = subscriptions.add((status) => out.fail(status));
  subscriptions.started();
  try {
    const all = options.getAll()!;
    const filter = filterOf(options);
    let next = 0;
    if (all.hasEnd()) next = log.all.length;
    if (all.hasPosition()) {
      const p = all.getPosition()!;
      next = log.indexAfter(
        position(BigInt(p.getCommitPosition()), BigInt(p.getPreparePosition())),
      );
    }
    const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(
      crypto.randomUUID(),
    );
    if (!(await out.send(new ReadResp().setConfirmation(confirmation)))) return;

    let caughtUp = false;
    let scanned = 0;
    while (out.open) {
      while (next < log.all.length) {
        const e = log.all[next]!;
        next += 1;
        if (filter === undefined || filter.matches(e)) {
          if (!(await out.send(readEvent(e)))) return;
          subscriptions.sent();
        }
        scanned += 1;
        if (filter !== undefined && scanned >= filter.checkpointEvery) {
          scanned = 0;
          if (!(await out.send(checkpoint(e)))) return;
        }
      }
      if (!caughtUp) {
        caughtUp = true;
        const last = log.all[next - 1];
        if (filter !== undefined && last !== undefined && !(await out.send(checkpoint(last))))
          return;
        if (!(await out.send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp())))) return;
      }
      // Live: sleep until something is appended (no await between the check and here).
      if (next >= log.all.length) await out.until((wake) => log.onAppend(wake));
    }
  } finally {
    unregister();
  }
}
