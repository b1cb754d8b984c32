import { match } from "ts-pattern";
import type { CampaignCommand } from "./commands.js";
import type { CampaignEvent, CampaignEventOf, CampaignEventType } from "./events.js";
import { seedPhoneNumber, seedSettings } from "./seed-body.js";
import type { CampaignState } from "./state.js";
import { findNumber } from "./find-number.js";

/**
 * The reply to a command, from the events it wrote (so a repeat with the same
 * Command-Id rebuilds the first reply from the stored events), the state after
 * them, and the stream revision the store reported.
 */
export const campaignReply = (
  command: CampaignCommand,
  events: readonly CampaignEvent[],
  state: CampaignState,
  revision: bigint,
  region: string,
) => {
  const id = command.campaignId;
  const ignored = find(events, "InvalidPhoneNumbersIgnored")?.data.ignored ?? [];
  const added = find(events, "PhoneNumbersAdded")?.data;
  return match(command)
    .with({ type: "CreateCampaign" }, () => {
      const created = find(events, "CampaignCreated");
      return {
        ...(created ? seedSettings(id, created.data.settings) : { id }),
        phoneNumbers: (added?.numbers ?? []).map(seedPhoneNumber),
        ...(added && added.duplicates.length > 0 ? { duplicates: added.duplicates } : {}),
        ...(ignored.length > 0 ? { ignoredPhoneNumbers: ignored } : {}),
      };
    })
    .with({ type: "AddPhoneNumbers" }, () => ({
      id,
      added: added?.numbers.length ?? 0,
      duplicates: added?.duplicates ?? [],
      ignoredPhoneNumbers: ignored,
    }))
    .with({ type: "UpdateCampaign" }, { type: "DeleteCampaign" }, { type: "PauseCampaign" }, { type: "ResumeCampaign" }, () => ({
      id,
      revision: Number(revision),
    }))
    .with({ type: "RecordAttemptOutcome" }, ({ data }) => {
      const recorded = find(events, "AttemptOutcomeRecorded")?.data;
      const e164 = recorded?.e164 ?? numberIn(state, data.number, region);
      const current = e164 !== undefined && state.status !== "absent" ? state.numbers.get(e164)?.next : undefined;
      return { id, number: data.number, e164, attemptNumber: data.attemptNumber, next: recorded?.next ?? current };
    })
    .with({ type: "RecordStageReached" }, ({ data }) => {
      const reached = find(events, "StageReached")?.data;
      return { id, number: data.number, e164: reached?.e164, attemptNumber: data.attemptNumber, stage: data.stage, stageName: reached?.stageName };
    })
    .exhaustive();
};

const find = <T extends CampaignEventType>(events: readonly CampaignEvent[], type: T): CampaignEventOf<T> | undefined =>
  events.find((event): event is CampaignEventOf<T> => event.type === type);

/** For a repeat that wrote nothing: the number's stored E.164. */
const numberIn = (state: CampaignState, number: string, region: string): string | undefined => {
  if (state.status === "absent") return undefined;
  const found = findNumber(state, number, region);
  return "kind" in found ? undefined : found.e164;
};
