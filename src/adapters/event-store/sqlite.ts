import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import {
  type AppendCondition,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  MAX_APPEND_BYTES,
  type NewEvent,
  type Position,
  type ReadOptions,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
} from "../../ports/event-store.js";
import { AppendSignal, checkAppendSize, checkExpected, matchesPrefix, type Page, priorAppend, PullSubscription, type StoredAt } from "./pull-subscription.js";

const PAGE_SIZE = 1000;
/** How often a subscription looks for appends made by another process on the same file. */
const POLL_MS = 200;

type Row = { position: bigint; stream_id: string; revision: bigint; event_id: string; type: string; data: string; metadata: string; recorded_at: bigint };
type PendingAppend = {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  condition: AppendCondition | undefined;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
};
type Outcome = AppendResult | { error: unknown };

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id);
  CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * The embedded store: one SQLite file, WAL, synchronous=FULL (an acknowledged
 * append survives a power cut). Appends that arrive in the same tick are
 * written in one transaction (group commit: one fsync for many commands),
 * each checked against its own expected revision and failing alone.
 * Event ids are unique; a retry of an append already written is acknowledged
 * with its original result (as EventStoreDB does). Subscriptions are woken by
 * this store's appends and also poll, to see other processes' writes.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private pending: PendingAppend[] = [];
  private readonly statements;
  private readonly commitBatch;
  private readonly appendOne;
  private closed = false;

  constructor(file: string, private readonly maxAppendBytes = MAX_APPEND_BYTES) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const select = "SELECT position, stream_id, revision, event_id, type, data, metadata, recorded_at FROM events";
    this.statements = {
      revision: this.db.prepare<[string], { revision: bigint }>("SELECT revision FROM streams WHERE stream_id = ?").safeIntegers(true),
      setRevision: this.db.prepare("INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision"),
      insert: this.db.prepare("INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)").safeIntegers(true),
      forwards: this.db.prepare<[string, bigint, number], Row>(`${select} WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).safeIntegers(true),
      backwards: this.db.prepare<[string, bigint, number], Row>(`${select} WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).safeIntegers(true),
      after: this.db.prepare<[bigint, number], Row>(`${select} WHERE position > ? ORDER BY position LIMIT ?`).safeIntegers(true),
      head: this.db.prepare<[], { head: bigint | null }>("SELECT max(position) AS head FROM events").safeIntegers(true),
      eventIdAt: this.db.prepare<[string, bigint], { event_id: string }>("SELECT event_id FROM events WHERE stream_id = ? AND revision = ?"),
      byEventId: this.db.prepare<[string], { stream_id: string; revision: bigint; position: bigint }>("SELECT stream_id, revision, position FROM events WHERE event_id = ?").safeIntegers(true),
    };
    // Nested inside commitBatch, better-sqlite3 runs this as a savepoint: one failing append rolls back alone.
    this.appendOne = this.db.transaction((append: PendingAppend) => this.write(append));
    // IMMEDIATE takes the write lock before reading revisions, so another process cannot slip in between.
    const batch = this.db.transaction((pending: PendingAppend[]) => pending.map((append) => this.tryAppend(append)));
    this.commitBatch = (pending: PendingAppend[]): Outcome[] => batch.immediate(pending);
  }

  readonly checksLastEventId = true;

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, condition?: AppendCondition): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error("event store is closed"));
        return;
      }
      try {
        checkAppendSize(streamId, events, this.maxAppendBytes);
      } catch (error) {
        reject(error);
        return;
      }
      if (this.pending.push({ streamId, events, expected, condition, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let results: Outcome[];
    try {
      results = this.commitBatch(batch);
    } catch (error) {
      for (const append of batch) append.reject(error); // the transaction rolled back: nothing was written
      return;
    }
    batch.forEach((append, i) => {
      const result = results[i]!;
      if ("error" in result) append.reject(result.error);
      else append.resolve(result);
    });
    this.signal.notify();
  }

  private tryAppend(append: PendingAppend): Outcome {
    try {
      return this.appendOne(append);
    } catch (error) {
      return { error };
    }
  }

  private write({ streamId, events, expected, condition }: PendingAppend): AppendResult {
    const prior = priorAppend(streamId, events, expected, (id) => this.storedAt(id));
    if (prior !== undefined) return prior;
    const current = this.statements.revision.get(streamId)?.revision;
    checkExpected(streamId, expected, current, condition, (revision) => this.statements.eventIdAt.get(streamId, revision)?.event_id);
    const recordedAt = BigInt(Date.now());
    let revision = current === undefined ? 0n : current + 1n;
    let position = 0n;
    for (const event of events) {
      const eventId = event.eventId || randomUUID();
      const data = JSON.stringify(event.data ?? null);
      const metadata = JSON.stringify(event.metadata ?? {});
      try {
        position = BigInt(this.statements.insert.run(streamId, revision++, eventId, event.type, data, metadata, recordedAt).lastInsertRowid);
      } catch (error) {
        if (this.storedAt(eventId) !== undefined) throw new Error(`event id ${eventId} is already stored`, { cause: error });
        throw error;
      }
    }
    this.statements.setRevision.run(streamId, revision - 1n);
    return { nextRevision: revision - 1n, position };
  }

  private storedAt(eventId: string): StoredAt | undefined {
    const row = this.statements.byEventId.get(eventId);
    return row && { streamId: row.stream_id, revision: row.revision, position: row.position };
  }

  async *read(streamId: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.limit ?? Infinity;
    const backwards = options.direction === "backwards";
    let from = options.from ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    while (remaining > 0) {
      const size = Math.min(PAGE_SIZE, remaining);
      const rows = (backwards ? this.statements.backwards : this.statements.forwards).all(streamId, from, size);
      for (const row of rows) yield toRecorded(row);
      if (rows.length < size) return;
      remaining -= rows.length;
      from = rows.at(-1)!.revision + (backwards ? -1n : 1n);
      if (from < 0n) return;
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const fetchPage = (after: Position): Page => {
      const rows = this.statements.after.all(after, PAGE_SIZE);
      const events = rows.filter((row) => matchesPrefix(row.stream_id, options.streamPrefixes)).map(toRecorded);
      return { events, next: rows.at(-1)?.position ?? after };
    };
    const subscription: Subscription = new PullSubscription({
      from: options.from ?? START,
      fetchPage,
      signal: this.signal,
      pollIntervalMs: POLL_MS,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position> {
    return this.statements.head.get()?.head ?? START;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.flush(); // appends already accepted are written, not dropped
    this.db.close();
  }
}

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as RecordedEvent["metadata"],
  recordedAt: new Date(Number(row.recorded_at)),
  eventId: row.event_id,
});
