/**
 * The SQLite writer: runs in its own thread (sqlite-writer-thread.ts), so a
 * commit's fsync never blocks the event loop that handles commands. It takes
 * every append waiting for it, writes them in one transaction (group commit:
 * one fsync for many commands), each checked against its own expected
 * revision and failing alone, and answers each only after that commit.
 */
import type Database from "better-sqlite3";
import {
  type AppendResult,
  ConcurrencyError,
  type ExpectedRevision,
  StoreRejectedError,
  type Position,
} from "../../ports/event-store.js";
import { checkExpected, priorAppend, type StoredAt } from "./append-rules.js";
import {
  checkReservation,
  checkReservationWithEvents,
  standingAnswer,
} from "./reservation-rules.js";
import {
  type CommandAnswer,
  CommandAnsweredError,
  CommandIdReusedError,
  type Confirmation,
  type Reservation,
  type Reserved,
} from "../../ports/command-reservations.js";
import { answerFrom, answerJson } from "./sqlite-schema.js";

/** An event as the main thread serialised it, once. */
export type SerialisedEvent = { eventId: string; type: string; data: string; metadata: string };
export type WireAppend = {
  id: number;
  streamId: string;
  expected: ExpectedRevision;
  lastEventId: string | undefined;
  /** The Command-Id reservations written with the events. */
  reservations: readonly Reservation[];
  events: SerialisedEvent[];
  /** A command answered without events: its one reservation is taken with this answer, no events. */
  answer?: CommandAnswer | undefined;
};
/** Errors cross the thread as data; the main thread turns them back into the port's error types. */
export type WireError =
  | {
      kind: "concurrency";
      streamId: string;
      expected: ExpectedRevision;
      actual: bigint | "no_stream";
    }
  | { kind: "rejected"; code: StoreRejectedError["code"]; message: string }
  | { kind: "command_id_reused"; reservation: Reservation; first: Reserved }
  | { kind: "answered"; reservation: Reservation; answer: CommandAnswer }
  | { kind: "failed"; message: string };
/** Where a written append's events landed: positions `first`, `first + 1`, ... (one transaction, no other writer in between). */
export type Written = { first: Position; recordedAt: number };
/** `written` is absent when nothing was written (a retry recognised as an append already stored). */
export type WireOutcome =
  | { id: number; result: AppendResult; written?: Written }
  | { id: number; confirmed: Confirmation }
  | { id: number; error: WireError };

/**
 * Checkpoint after about this many events (a little over a WAL page each),
 * between commits rather than inside one as SQLite's automatic checkpoint would.
 */
const CHECKPOINT_EVENTS = 2_000;

export class SqliteWriter {
  private readonly statements;
  private readonly appendOne;
  private readonly commitBatch;
  private eventsSinceCheckpoint = 0;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      revision: db
        .prepare<[string], { revision: bigint }>("SELECT revision FROM streams WHERE stream_id = ?")
        .safeIntegers(true),
      setRevision: db.prepare(
        "INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision",
      ),
      insert: db
        .prepare(
          "INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .safeIntegers(true),
      // Through UNIQUE (stream_id, revision): there is no index of event ids, which would dirty a
      // random page of it per event.
      at: db
        .prepare<[string, bigint], { event_id: string; position: bigint }>(
          "SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?",
        )
        .safeIntegers(true),
      reserved: db.prepare<[string, string], ReservedRow>(RESERVED_SQL),
      reserve: db.prepare(
        "INSERT INTO command_ids (client_id, command_id, command, fingerprint, stream_id, answer) VALUES (?, ?, ?, ?, ?, ?)",
      ),
    };
    // Nested inside commitBatch, better-sqlite3 runs this as a savepoint: one failing append rolls
    // back alone.
    this.appendOne = db.transaction((append: WireAppend) => this.write(append));
    // IMMEDIATE takes the write lock before reading revisions, so another process cannot slip in
    // between.
    const batch = db.transaction((appends: WireAppend[]) =>
      appends.map((append) => this.tryAppend(append)),
    );
    this.commitBatch = (appends: WireAppend[]): WireOutcome[] => batch.immediate(appends);
  }

  /** One transaction, one fsync, for all of them. A failure of the whole transaction fails each (nothing was written). */
  commit(appends: WireAppend[]): WireOutcome[] {
    try {
      return this.commitBatch(appends);
    } catch (error) {
      const failure = toWireError(error);
      return appends.map(({ id }) => ({ id, error: failure }));
    }
  }

  /**
   * Moves the WAL into the database file so it does not grow without end:
   * when no append is waiting (`idle`), or regardless once it is long overdue.
   */
  checkpointIfDue(idle: boolean): void {
    if (this.eventsSinceCheckpoint < (idle ? CHECKPOINT_EVENTS : 8 * CHECKPOINT_EVENTS)) return;
    this.db.pragma("wal_checkpoint(PASSIVE)");
    this.eventsSinceCheckpoint = 0;
  }

  private tryAppend(append: WireAppend): WireOutcome {
    try {
      if (append.answer !== undefined)
        return { id: append.id, confirmed: this.confirm(append, append.answer) };
      return { id: append.id, ...this.appendOne(append) };
    } catch (error) {
      return { id: append.id, error: toWireError(error) };
    }
  }

  /** The reservation taken with its answer, if the stream stands where `expected` says (no savepoint: one insert). */
  private confirm(
    { streamId, expected, reservations }: WireAppend,
    answer: CommandAnswer,
  ): Confirmation {
    const reservation = reservations[0]!;
    const standing = standingAnswer(reservation, this.reserved(reservation));
    if (standing !== undefined) return standing;
    checkExpected(streamId, expected, this.statements.revision.get(streamId)?.revision);
    this.take(reservation, streamId, answerJson(answer));
    return { kind: "taken" };
  }

  private reserved(reservation: Reservation): Reserved | undefined {
    return reservedFrom(this.statements.reserved.get(reservation.clientId, reservation.commandId));
  }

  private take(reservation: Reservation, streamId: string, answer: string | null): void {
    const { clientId, commandId, command, fingerprint } = reservation;
    this.statements.reserve.run(clientId, commandId, command, fingerprint, streamId, answer);
  }

  private write({ streamId, events, expected, lastEventId, reservations }: WireAppend): {
    result: AppendResult;
    written?: Written;
  } {
    const current = this.statements.revision.get(streamId)?.revision;
    const at = (revision: bigint) => this.storedAt(streamId, revision);
    const prior = priorAppend(events, expected, current, at);
    // A resent append is its own command's only under the same fingerprint: ids derived from a
    // Command-Id match for another body too.
    if (prior !== undefined) {
      for (const reservation of reservations)
        checkReservation(reservation, this.reserved(reservation));
      return { result: prior };
    }
    const condition = lastEventId === undefined ? undefined : { lastEventId };
    checkExpected(streamId, expected, current, condition, (revision) => at(revision)?.eventId);
    for (const reservation of reservations) {
      // Held from an earlier transaction or earlier in this append's reservations: either way the
      // command's events are in.
      checkReservationWithEvents(reservation, this.reserved(reservation));
      this.take(reservation, streamId, null);
    }
    const recordedAt = Date.now();
    let revision = current === undefined ? 0n : current + 1n;
    let position: Position = 0n;
    let first: Position | undefined;
    for (const event of events) {
      position = BigInt(
        this.statements.insert.run(
          streamId,
          revision++,
          event.eventId,
          event.type,
          event.data,
          event.metadata,
          recordedAt,
        ).lastInsertRowid,
      );
      first ??= position;
      this.eventsSinceCheckpoint += 1;
    }
    this.statements.setRevision.run(streamId, revision - 1n);
    const result = { nextRevision: revision - 1n, position };
    // Consecutive as one transaction's AUTOINCREMENT makes them; were they not, a reader must take
    // them from the file.
    return first !== undefined && position - first === BigInt(events.length - 1)
      ? { result, written: { first, recordedAt } }
      : { result };
  }

  private storedAt(streamId: string, revision: bigint): StoredAt | undefined {
    const row = this.statements.at.get(streamId, revision);
    return row && { eventId: row.event_id, position: row.position };
  }
}

type ReservedRow = {
  command: string;
  fingerprint: string;
  streamId: string;
  answer: string | null;
};
/** A command_ids row by client and Command-Id (the writer's and the main thread's look-up). */
export const RESERVED_SQL =
  "SELECT command, fingerprint, stream_id AS streamId, answer FROM command_ids WHERE client_id = ? AND command_id = ?";
export const reservedFrom = (row: ReservedRow | undefined): Reserved | undefined =>
  row && {
    command: row.command,
    fingerprint: row.fingerprint,
    streamId: row.streamId,
    answer: answerFrom(row.answer),
  };

const toWireError = (error: unknown): WireError =>
  error instanceof ConcurrencyError
    ? {
        kind: "concurrency",
        streamId: error.streamId,
        expected: error.expected,
        actual: error.actual,
      }
    : error instanceof StoreRejectedError
      ? { kind: "rejected", code: error.code, message: error.message }
      : error instanceof CommandIdReusedError
        ? { kind: "command_id_reused", reservation: error.reservation, first: error.first }
        : error instanceof CommandAnsweredError
          ? { kind: "answered", reservation: error.reservation, answer: error.answer }
          : { kind: "failed", message: error instanceof Error ? error.message : String(error) };
