/** The append size check every adapter makes before sending (the rule: src/domain/append-size.ts). */
import { appendBytes } from "../../domain/append-size.js";
import { AppendTooLargeError, type NewEvent } from "../../ports/event-store.js";

/** Rejects what EventStoreDB would refuse, so the embedded adapters fail the same way production does. */
export function checkAppendSize(
  streamId: string,
  events: readonly NewEvent[],
  limit: number,
): void {
  if (events.length === 0) throw new RangeError(`append to ${streamId} has no events`);
  if (limit === Infinity) return;
  const bytes = appendBytes(events);
  if (bytes > limit) throw new AppendTooLargeError(streamId, bytes, limit);
}
