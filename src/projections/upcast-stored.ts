import type { EventStore, RecordedEvent } from "../ports/event-store.js";
import { isLegacyCampaignUpdated, upcastCampaignStream } from "../domain/index.js";

/**
 * A stored event as the evolvers read it. An update stored before it carried
 * its re-plan gets it from the campaign's stream up to it (read once, for
 * such an event only: the evolvers never run the re-planning rule).
 */
export async function upcastStored(
  store: EventStore,
  event: RecordedEvent,
): Promise<RecordedEvent> {
  if (!isLegacyCampaignUpdated(event)) return event;
  const upTo: RecordedEvent[] = [];
  for await (const earlier of store.read(event.streamId, {
    from: 0n,
    limit: Number(event.revision) + 1,
  }))
    upTo.push(earlier);
  const upcast = upcastCampaignStream(upTo).at(-1);
  return upcast?.eventId === event.eventId ? upcast : event;
}
