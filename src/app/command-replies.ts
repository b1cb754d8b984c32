import { match } from "ts-pattern";
import {
  type CampaignCommand,
  type CampaignEvent,
  type CampaignEventOf,
  type CampaignEventType,
  type CampaignState,
  type DirectoryCommand,
  findNumber,
  seedPhoneNumber,
  seedSettings,
  stageName,
} from "../domain/index.js";
import type { CampaignCommandReply, CommandReplyOf } from "../contract/replies.js";

/**
 * The reply to a campaign command (a shape of src/contract/replies.ts), from
 * the events it wrote (so a repeat with the same Command-Id rebuilds the first
 * reply from the stored events), the state after them, and the stream
 * revision the store reported.
 */
export const campaignReply = (
  command: CampaignCommand,
  events: readonly CampaignEvent[],
  state: CampaignState,
  revision: bigint,
  region: string,
): CampaignCommandReply => {
  const id = command.campaignId;
  const ignored = find(events, "InvalidPhoneNumbersIgnored")?.data.ignored ?? [];
  const added = find(events, "PhoneNumbersAdded")?.data;
  return match(command)
    .with({ type: "CreateCampaign" }, (): CommandReplyOf<"create-campaign"> => ({
      ...seedSettings(id, createdSettings(events, state)),
      phoneNumbers: (added?.numbers ?? []).map(seedPhoneNumber),
      ...(added && added.duplicates.length > 0 ? { duplicates: added.duplicates } : {}),
      ...(ignored.length > 0 ? { ignoredPhoneNumbers: ignored } : {}),
    }))
    .with({ type: "AddPhoneNumbers" }, (): CommandReplyOf<"add-phone-numbers"> => ({
      id,
      added: added?.numbers.length ?? 0,
      duplicates: added?.duplicates ?? [],
      ignoredPhoneNumbers: ignored,
    }))
    .with({ type: "UpdateCampaign" }, { type: "DeleteCampaign" }, { type: "PauseCampaign" }, { type: "ResumeCampaign" }, (): CommandReplyOf<"update-campaign"> => ({
      id,
      revision: Number(revision),
    }))
    .with({ type: "RecordAttemptOutcome" }, ({ data }): CommandReplyOf<"record-attempt-outcome"> => {
      const recorded = find(events, "AttemptOutcomeRecorded")?.data;
      const e164 = recorded?.e164 ?? numberIn(state, data.number, region);
      const current = e164 !== undefined && state.status !== "absent" ? state.numbers.get(e164)?.next : undefined;
      return { id, number: data.number, e164, attemptNumber: data.attemptNumber, next: recorded?.next ?? current };
    })
    .with({ type: "RecordStageReached" }, ({ data }): CommandReplyOf<"record-stage-reached"> => {
      const reached = find(events, "StageReached")?.data;
      return { id, number: data.number, e164: reached?.e164 ?? numberIn(state, data.number, region), attemptNumber: data.attemptNumber, stage: data.stage, stageName: reached?.stageName ?? stageName(data.stage) };
    })
    .exhaustive();
};

/** The reply to a directory command: the id it registered. */
export const directoryReply = (command: DirectoryCommand): CommandReplyOf<"register-call-flow" | "register-cli"> =>
  match(command)
    .with({ type: "RegisterCallFlow" }, ({ data }) => ({ callFlowId: data.callFlowId }))
    .with({ type: "RegisterCli" }, ({ data }) => ({ cliId: data.cliId }))
    .exhaustive();

const find = <T extends CampaignEventType>(events: readonly CampaignEvent[], type: T): CampaignEventOf<T> | undefined =>
  events.find((event): event is CampaignEventOf<T> => event.type === type);

/** A create always writes CampaignCreated (a repeat rebuilds from the stored events); the state after it holds the same settings. */
const createdSettings = (events: readonly CampaignEvent[], state: CampaignState) => {
  const settings = find(events, "CampaignCreated")?.data.settings ?? (state.status === "absent" ? undefined : state.settings);
  if (settings === undefined) throw new Error("a create-campaign reply without its campaign: the decider wrote no CampaignCreated");
  return settings;
};

/** For a repeat that wrote nothing: the number's stored E.164. */
const numberIn = (state: CampaignState, number: string, region: string): string | undefined => {
  if (state.status === "absent") return undefined;
  const found = findNumber(state, number, region);
  return "kind" in found ? undefined : found.e164;
};
