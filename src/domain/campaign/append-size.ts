import { type DomainError, domainError } from "../errors.js";
import { MAX_APPEND_BYTES, appendBytes } from "../append-size.js";
import type { CampaignEvent } from "./events.js";
import { encodeCampaignEvent } from "./stored-event.js";

/**
 * A command's events must fit one append (../append-size.ts). They are
 * measured as stored (compact, ./stored-event.ts); the headroom is for their
 * metadata (ids of at most 200 characters, a traceparent).
 */
export const APPEND_BUDGET_BYTES = MAX_APPEND_BYTES - 8 * 1024;

export const storedBytes = (events: readonly CampaignEvent[]): number =>
  appendBytes(events.map(encodeCampaignEvent));

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
