import { type DomainError, domainError } from "../errors.js";
import type { CampaignEvent } from "./events.js";
import { encodeCampaignEvent } from "./stored-event.js";

/**
 * One command is one atomic append, and EventStoreDB refuses appends over
 * 1 MiB (its default MaxAppendSize), counting type, data and metadata. The
 * events are measured as stored (compact, ./stored-event.ts); the headroom is
 * for their metadata (ids of at most 200 characters, a traceparent).
 */
export const APPEND_BUDGET_BYTES = 1024 * 1024 - 8 * 1024;

const encoder = new TextEncoder();

export const storedBytes = (events: readonly CampaignEvent[]): number =>
  events.reduce((bytes, event) => {
    const stored = encodeCampaignEvent(event);
    return (
      bytes +
      encoder.encode(stored.type).length +
      encoder.encode(JSON.stringify(stored.data)).length
    );
  }, 0);

export const checkAppendSize = (
  events: readonly CampaignEvent[],
): readonly CampaignEvent[] | DomainError => {
  const bytes = storedBytes(events);
  return bytes <= APPEND_BUDGET_BYTES
    ? events
    : domainError(
        "rule_violated",
        `the command's events take ${bytes} bytes, over the ${APPEND_BUDGET_BYTES}-byte append limit; send fewer numbers per command`,
        [
          {
            field: "phoneNumbers",
            reason: "too large for one atomic append; split into smaller chunks",
          },
        ],
      );
};
