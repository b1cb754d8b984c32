/**
 * The expected-revision and retry rules the memory and sqlite adapters apply
 * to an append, as EventStoreDB does.
 */
import {
  type AppendCondition,
  type AppendResult,
  ConcurrencyError,
  type ExpectedRevision,
  type NewEvent,
  type Position,
} from "../../ports/event-store.js";

/** Throws `ConcurrencyError` unless `expected` holds for a stream whose last revision is `current`. */
export function checkExpected(
  streamId: string,
  expected: ExpectedRevision,
  current: bigint | undefined,
  condition?: AppendCondition,
  eventIdAt?: (revision: bigint) => string | undefined,
): void {
  const holds =
    expected === "any" || (expected === "no_stream" ? current === undefined : current === expected);
  if (!holds) throw new ConcurrencyError(streamId, expected, current ?? "no_stream");
  // The revision is right; is the event there the one the writer built on?
  if (
    condition?.lastEventId !== undefined &&
    typeof expected === "bigint" &&
    eventIdAt?.(expected) !== condition.lastEventId
  )
    throw new ConcurrencyError(streamId, expected, expected);
}

/** The event stored at one revision of the append's stream. */
export type StoredAt = { eventId: string; position: Position };

/**
 * EventStoreDB's idempotent retry: the same event ids, in order, already at
 * the place `expected` names are acknowledged with the original result
 * instead of being written again. Looked up by revision in the stream (whose
 * last revision is `current`), so no index of event ids is needed. For `any`
 * only the stream's last append is recognised (the ids at its tail):
 * EventStoreDB itself recognises an `any` retry only best-effort, from a
 * cache of recent appends.
 */
export function priorAppend(
  events: readonly Pick<NewEvent, "eventId">[],
  expected: ExpectedRevision,
  current: bigint | undefined,
  at: (revision: bigint) => StoredAt | undefined,
): AppendResult | undefined {
  if (current === undefined) return undefined;
  const count = BigInt(events.length);
  const startsAt =
    expected === "any" ? current - count + 1n : expected === "no_stream" ? 0n : expected + 1n;
  if (startsAt < 0n || startsAt + count - 1n > current) return undefined;
  let last: StoredAt | undefined;
  for (const [i, event] of events.entries()) {
    last = at(startsAt + BigInt(i));
    if (last?.eventId !== event.eventId) return undefined;
  }
  return { nextRevision: startsAt + count - 1n, position: last!.position };
}
