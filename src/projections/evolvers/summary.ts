/**
 * Campaign summary: the seed's GET list item (seed 001 "Retrieves a list of
 * campaigns"), field for field, with `phoneNumberCount`, plus the campaign's
 * `timeZone`, its `status` and the log `position` of the last event applied.
 * A deleted campaign has no summary (undefined).
 */
import { match } from "ts-pattern";
import { type CampaignSettings, seedSettings } from "../../domain/index.js";
import { type CampaignStatus, type CampaignSummary } from "../../contract/read-models.js";
import { type CampaignLogEvent, alreadyApplied } from "./event.js";

/** The summary from settings, in the seed's field order (seedSettings), the extras last. */
const summaryOf = (id: string, settings: CampaignSettings, phoneNumberCount: number, status: CampaignStatus, position: string): CampaignSummary => {
  const { timeZone, ...seed } = seedSettings(id, settings);
  return { ...seed, phoneNumberCount, timeZone, status, position };
};

/**
 * Applies one of the campaign's events. Events before the campaign's creation
 * (or after its deletion) leave it undefined; an event at or before the
 * model's position is a replay and changes nothing.
 */
export const evolveSummary = (model: CampaignSummary | undefined, event: CampaignLogEvent): CampaignSummary | undefined => {
  if (alreadyApplied(model, event)) return model;
  const position = event.position.toString();
  const touch = (change: (current: CampaignSummary) => CampaignSummary = (current) => current): CampaignSummary | undefined =>
    model === undefined ? undefined : { ...change(model), position };
  // Branches by frequency: ts-pattern tries them in order, and attempts and stages are most of a campaign's log.
  return match(event)
    .with(
      { type: "AttemptOutcomeRecorded" },
      { type: "StageReached" },
      { type: "SmsRequested" },
      { type: "NumberOptedOut" },
      { type: "InvalidPhoneNumbersIgnored" },
      { type: "AttemptsClaimed" },
      { type: "ClaimsReleased" },
      { type: "NumbersExcluded" },
      { type: "ExclusionsAdded" },
      { type: "ExclusionsRemoved" },
      { type: "ExcludedPhoneNumbersSkipped" },
      { type: "ClientExclusionsApplied" },
      () => touch(),
    )
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
    .exhaustive();
};
