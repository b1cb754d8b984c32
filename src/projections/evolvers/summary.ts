/**
 * Campaign summary: the seed's GET list item (seed 001 "Retrieves a list of
 * campaigns"), field for field, with `phoneNumberCount`, plus the campaign's
 * `timeZone`, its `status` and the log `position` of the last event applied.
 * A deleted campaign has no summary (undefined).
 */
import { P, match } from "ts-pattern";
import { type CampaignSettings, seedSettings } from "../../domain/index.js";
import { type CampaignStatus, type CampaignSummary } from "../../contract/read-models.js";
import { type CampaignLogEvent, dialListTypes, evolvePositioned } from "./event.js";

/** The summary from settings, in the seed's field order (seedSettings), the extras last. */
const summaryOf = (id: string, settings: CampaignSettings, phoneNumberCount: number, status: CampaignStatus, position: string): CampaignSummary => {
  const { timeZone, ...seed } = seedSettings(id, settings);
  return { ...seed, phoneNumberCount, timeZone, status, position };
};

const dialList = { type: P.union(...dialListTypes) };

/**
 * Applies one of the campaign's events. Events before the campaign's creation
 * (or after its deletion) leave it undefined; an event at or before the
 * model's position is a replay and changes nothing.
 */
export const evolveSummary = (model: CampaignSummary | undefined, event: CampaignLogEvent): CampaignSummary | undefined =>
  evolvePositioned(model, event, (touch, position) =>
    // Branches by frequency: ts-pattern tries them in order, and attempts and stages are most of a campaign's log.
    match(event)
      .with({ type: "AttemptOutcomeRecorded" }, { type: "StageReached" }, { type: "SmsRequested" }, dialList, () => touch())
      .with({ type: "PhoneNumbersAdded" }, ({ data }) =>
        touch((current) => ({ ...current, phoneNumberCount: current.phoneNumberCount + data.numbers.length })),
      )
      .with({ type: "CampaignCreated" }, ({ data }) => summaryOf(data.campaignId, data.settings, 0, "active", position))
      .with({ type: "CampaignUpdated" }, ({ data }) =>
        touch((current) => summaryOf(current.id, data.settings, data.numbers.length, current.status, position)),
      )
      .with({ type: "CampaignPaused" }, () => touch((current) => ({ ...current, status: "paused" })))
      .with({ type: "CampaignResumed" }, () => touch((current) => ({ ...current, status: "active" })))
      .with({ type: "CampaignDeleted" }, () => undefined)
      .exhaustive(),
  );
