/**
 * Campaign summary: the seed's GET list item (seed 001 "Retrieves a list of
 * campaigns"), field for field, with `phoneNumberCount`, plus the campaign's
 * `timeZone`, its `status` and the log `position` of the last event applied.
 * A deleted campaign has no summary (undefined).
 */
import { type CampaignSettings, seedSettings } from "../../domain/index.js";
import { type CampaignStatus, type CampaignSummary } from "../../contract/read-models.js";
import {
  type CampaignLogEvent,
  dialListTypes,
  evolvePositioned,
  eventsOf,
  unhandled,
} from "./event.js";

/** The summary from settings, in the seed's field order (seedSettings), the extras last. */
const summaryOf = (
  id: string,
  settings: CampaignSettings,
  phoneNumberCount: number,
  status: CampaignStatus,
  position: string,
): CampaignSummary => {
  const { timeZone, ...seed } = seedSettings(id, settings);
  return { ...seed, phoneNumberCount, timeZone, status, position };
};

const isDialList = eventsOf(dialListTypes);

/**
 * Applies one of the campaign's events. Events before the campaign's creation
 * (or after its deletion) leave it undefined; an event at or before the
 * model's position is a replay and changes nothing.
 */
export const evolveSummary = (
  model: CampaignSummary | undefined,
  event: CampaignLogEvent,
): CampaignSummary | undefined =>
  evolvePositioned(model, event, (touch, position) => {
    // A switch, not a pattern match: this runs for every event of the log.
    switch (event.type) {
      case "AttemptOutcomeRecorded":
      case "StageReached":
      case "SmsRequested":
        return touch();
      case "PhoneNumbersAdded": {
        const added = event.data.numbers.length;
        return touch((current) => ({
          ...current,
          phoneNumberCount: current.phoneNumberCount + added,
        }));
      }
      case "CampaignCreated":
        return summaryOf(event.data.campaignId, event.data.settings, 0, "active", position);
      case "CampaignUpdated": {
        const { data } = event;
        return touch((current) =>
          summaryOf(current.id, data.settings, data.numbers.length, current.status, position),
        );
      }
      case "CampaignPaused":
        return touch((current) => ({ ...current, status: "paused" }));
      case "CampaignResumed":
        return touch((current) => ({ ...current, status: "active" }));
      case "CampaignDeleted":
        return undefined;
      default:
        return isDialList(event) ? touch() : unhandled(event);
    }
  });
