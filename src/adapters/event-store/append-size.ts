/** The append size rule: how an append is measured, and the check every adapter makes before sending it. */
import { AppendTooLargeError, type NewEvent } from "../../ports/event-store.js";

/** The size an append is measured by: type, data and metadata, as JSON in UTF-8. */
export function appendBytes(events: readonly NewEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    bytes += Buffer.byteLength(e.type) + Buffer.byteLength(JSON.stringify(e.data ?? null));
    bytes += Buffer.byteLength(JSON.stringify(e.metadata ?? {}));
  }
  return bytes;
}

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
