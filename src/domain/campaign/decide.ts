import { match } from "ts-pattern";
import { type DomainError, domainError, isDomainError, notFound } from "../errors.js";
import { type Admission, admitNumbers } from "./admit-numbers.js";
import {
  addCampaignExclusions,
  excludedBy,
  removeCampaignExclusions,
} from "./campaign-exclusions.js";
import { claimDueAttempts, releaseClaims } from "./claims.js";
import { checkAppendSize } from "./append-size.js";
import type { CampaignCommand, CreateCampaignBody } from "./commands.js";
import type { CampaignContext } from "./context.js";
import type { CampaignEvent } from "./events.js";
import { recordAttemptOutcome } from "./record-attempt-outcome.js";
import { recordStageReached } from "./record-stage-reached.js";
import { replanKept } from "./replan.js";
import { checkSettings } from "./settings-rules.js";
import type { Campaign, CampaignState } from "./state.js";

type Decision = readonly CampaignEvent[] | DomainError;

export const decideCampaign = (
  command: CampaignCommand,
  state: CampaignState,
  context: CampaignContext,
): Decision =>
  match(command)
    .with({ type: "CreateCampaign" }, (c) => create(c, state, context))
    .with({ type: "UpdateCampaign" }, (c) =>
      existing(c, state, (campaign) => update(c.data, campaign, context)),
    )
    .with({ type: "AddPhoneNumbers" }, (c) =>
      existing(c, state, (campaign) =>
        numbersEvents(
          c.data.phoneNumbers,
          (e164) => campaign.numbers.has(e164),
          context,
          c.data.ignoreInvalidPhoneNumbers,
          admissionTo(campaign, campaign.settings.timeZone, context),
          (admitted) => [
            {
              type: "PhoneNumbersAdded",
              data: { numbers: admitted.entries, duplicates: admitted.duplicates },
            },
          ],
        ),
      ),
    )
    .with({ type: "PauseCampaign" }, (c) =>
      existing(c, state, (campaign) =>
        campaign.status === "paused" ? [] : [{ type: "CampaignPaused", data: {} }],
      ),
    )
    .with({ type: "ResumeCampaign" }, (c) =>
      existing(c, state, (campaign) =>
        campaign.status === "active" ? [] : [{ type: "CampaignResumed", data: {} }],
      ),
    )
    .with({ type: "DeleteCampaign" }, (c) =>
      existing(c, state, () => [{ type: "CampaignDeleted", data: {} }]),
    )
    .with({ type: "RecordAttemptOutcome" }, (c) =>
      existing(c, state, (campaign) => recordAttemptOutcome(c.data, campaign, context)),
    )
    .with({ type: "RecordStageReached" }, (c) =>
      existing(c, state, (campaign) => recordStageReached(c.data, campaign, context)),
    )
    .with({ type: "ClaimDueAttempts" }, (c) =>
      existing(c, state, (campaign) => claimDueAttempts(c.data, campaign, context)),
    )
    .with({ type: "ReleaseClaims" }, (c) =>
      existing(c, state, (campaign) => releaseClaims(c.data, campaign, context)),
    )
    .with({ type: "AddCampaignExclusions" }, (c) =>
      existing(c, state, (campaign) => addCampaignExclusions(c.data, campaign, context)),
    )
    .with({ type: "RemoveCampaignExclusions" }, (c) =>
      existing(c, state, (campaign) => removeCampaignExclusions(c.data, campaign, context)),
    )
    .exhaustive();

/** Numbers join a campaign on its clock, unless a list in force keeps them out. */
const admissionTo = (
  campaign: Campaign | undefined,
  campaignZone: string,
  context: CampaignContext,
): Admission => ({
  campaignZone,
  excludedBy: excludedBy(campaign, context),
});

/** A deleted campaign, or one of another client, is as good as absent: 404, and nothing leaks. */
const existing = (
  command: CampaignCommand,
  state: CampaignState,
  decide: (campaign: Campaign) => Decision,
): Decision =>
  state.status === "absent" || state.status === "deleted" || state.clientId !== command.clientId
    ? notFound("campaign", command.campaignId)
    : decide(state);

const create = (
  command: Extract<CampaignCommand, { type: "CreateCampaign" }>,
  state: CampaignState,
  context: CampaignContext,
): Decision => {
  // The same answer whoever owns the id, so that another tenant's campaigns cannot be probed.
  if (state.status !== "absent")
    return domainError("conflict", `campaign id ${command.campaignId} is already in use`, [
      { field: "id", reason: "already in use" },
    ]);
  const settings = checkSettings(command.data, context);
  if (isDomainError(settings)) return settings;
  return numbersEvents(
    command.data.phoneNumbers,
    () => false,
    context,
    command.data.ignoreInvalidPhoneNumbers,
    admissionTo(undefined, settings.timeZone, context),
    (admitted) =>
      admitted.entries.length === 0
        ? noNumberLeft(admitted)
        : [
            {
              type: "CampaignCreated",
              data: { campaignId: command.campaignId, clientId: command.clientId, settings },
            },
            {
              type: "PhoneNumbersAdded",
              data: { numbers: admitted.entries, duplicates: admitted.duplicates },
            },
          ],
  );
};

const update = (
  body: CreateCampaignBody,
  campaign: Campaign,
  context: CampaignContext,
): Decision => {
  const settings = checkSettings(body, context);
  if (isDomainError(settings)) return settings;
  return numbersEvents(
    body.phoneNumbers,
    () => false,
    context,
    body.ignoreInvalidPhoneNumbers,
    admissionTo(campaign, settings.timeZone, context),
    (admitted) =>
      admitted.entries.length === 0
        ? noNumberLeft(admitted)
        : [
            {
              type: "CampaignUpdated",
              data: {
                settings,
                numbers: admitted.entries,
                duplicates: admitted.duplicates,
                replanned: replanKept(campaign, admitted.entries, settings),
              },
            },
          ],
  );
};

/** Admits numbers, builds the events from them, records ignored ones for audit, and keeps the append under the size limit. */
const numbersEvents = (
  submitted: CreateCampaignBody["phoneNumbers"],
  alreadyIn: (e164: string) => boolean,
  context: CampaignContext,
  ignoreInvalid: boolean,
  admission: Admission,
  toEvents: (
    admitted: Exclude<ReturnType<typeof admitNumbers>, DomainError>,
  ) => CampaignEvent[] | DomainError,
): Decision => {
  const admitted = admitNumbers(
    submitted,
    alreadyIn,
    context.defaultRegion,
    ignoreInvalid,
    admission,
  );
  if (isDomainError(admitted)) return admitted;
  const events = toEvents(admitted);
  if (isDomainError(events)) return events;
  if (admitted.ignored.length > 0)
    events.push({ type: "InvalidPhoneNumbersIgnored", data: { ignored: admitted.ignored } });
  if (admitted.excluded.length > 0)
    events.push({ type: "ExcludedPhoneNumbersSkipped", data: { excluded: admitted.excluded } });
  return checkAppendSize(events);
};

/** Every number was invalid, a duplicate or excluded. */
const noNumberLeft = (admitted: { excluded: readonly unknown[] }): DomainError =>
  domainError("rule_violated", "a campaign needs one or more valid phone numbers", [
    {
      field: "phoneNumbers",
      reason:
        admitted.excluded.length > 0 ? "no valid number that is not excluded" : "no valid number",
    },
  ]);
