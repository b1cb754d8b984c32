import { match } from "ts-pattern";
import {
  type CampaignCommand,
  type CampaignEvent,
  type CampaignEventOf,
  type CampaignEventType,
  type CampaignState,
  type DirectoryCommand,
  emptyExclusionList,
  exclusionsReply,
  findNumber,
  leaveMessageOn,
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
  /** The decision's now: a command that wrote nothing is answered from the state as it saw it. */
  now: string = new Date(0).toISOString(),
): CampaignCommandReply | ExclusionsReply => {
  const id = command.campaignId;
  const ignored = find(events, "InvalidPhoneNumbersIgnored")?.data.ignored ?? [];
  const added = find(events, "PhoneNumbersAdded")?.data;
  const excluded = (find(events, "ExcludedPhoneNumbersSkipped")?.data.excluded ?? []).map(
    ({ index, number, list }) => ({ index, number, list }),
  );
  const ifExcluded = excluded.length > 0 ? { excluded } : {};
  return match(command)
    .with({ type: "CreateCampaign" }, (): CommandReplyOf<"create-campaign"> => ({
      ...seedSettings(id, createdSettings(events, state)),
      phoneNumbers: (added?.numbers ?? []).map(seedPhoneNumber),
      ...(added && added.duplicates.length > 0 ? { duplicates: added.duplicates } : {}),
      ...(ignored.length > 0 ? { ignoredPhoneNumbers: ignored } : {}),
      ...ifExcluded,
    }))
    .with({ type: "AddPhoneNumbers" }, (): CommandReplyOf<"add-phone-numbers"> => ({
      id,
      added: added?.numbers.length ?? 0,
      duplicates: added?.duplicates ?? [],
      ignoredPhoneNumbers: ignored,
      ...ifExcluded,
    }))
    .with({ type: "UpdateCampaign" }, (): CommandReplyOf<"update-campaign"> => ({
      id,
      revision: Number(revision),
      ...ifExcluded,
    }))
    .with(
      { type: "DeleteCampaign" },
      { type: "PauseCampaign" },
      { type: "ResumeCampaign" },
      (): CommandReplyOf<"update-campaign"> => ({
        id,
        revision: Number(revision),
      }),
    )
    .with(
      { type: "RecordAttemptOutcome" },
      ({ data }): CommandReplyOf<"record-attempt-outcome"> => {
        const recorded = find(events, "AttemptOutcomeRecorded")?.data;
        const e164 = recorded?.e164 ?? numberIn(state, data.number, region);
        const current =
          e164 !== undefined && state.status !== "absent"
            ? state.numbers.get(e164)?.next
            : undefined;
        return {
          id,
          number: data.number,
          e164,
          attemptNumber: data.attemptNumber,
          next: recorded?.next ?? current,
          ...(recorded?.claimWasNotHeld ? { claimWasNotHeld: true as const } : {}),
        };
      },
    )
    .with({ type: "RecordStageReached" }, ({ data }): CommandReplyOf<"record-stage-reached"> => {
      const reached = find(events, "StageReached")?.data;
      return {
        id,
        number: data.number,
        e164: reached?.e164 ?? numberIn(state, data.number, region),
        attemptNumber: data.attemptNumber,
        stage: data.stage,
        stageName: reached?.stageName ?? stageName(data.stage),
      };
    })
    .with({ type: "ClaimDueAttempts" }, (): CommandReplyOf<"claim-due-attempts"> => ({
      id,
      claims: claimsIn(events, state),
    }))
    .with({ type: "ReleaseClaims" }, ({ data }): CommandReplyOf<"release-claims"> => {
      const released = find(events, "ClaimsReleased")?.data;
      // Nothing released (nothing written): every number named was not held.
      const named = data.claims?.map((claim) => claim.number) ?? data.numbers ?? [];
      return {
        id,
        released: released?.numbers.length ?? 0,
        notHeld: released ? (released.notHeld ?? []) : [...new Set(named)],
      };
    })
    .with({ type: "AddCampaignExclusions" }, { type: "RemoveCampaignExclusions" }, (c) =>
      exclusionsReply(
        {
          type: c.type === "AddCampaignExclusions" ? "AddExclusions" : "RemoveExclusions",
          data: c.data,
        },
        events,
        state.status === "absent" ? emptyExclusionList() : state.exclusions,
        { now, defaultRegion: region },
      ),
    )
    .exhaustive();
};

type ExclusionsReply = CommandReplyOf<"add-exclusions" | "remove-exclusions">;

/** The claims an AttemptsClaimed handed out, with what the dialler needs to place each call. */
const claimsIn = (
  events: readonly CampaignEvent[],
  state: CampaignState,
): CommandReplyOf<"claim-due-attempts">["claims"] => {
  const claimed = find(events, "AttemptsClaimed")?.data;
  if (!claimed || state.status === "absent") return [];
  return claimed.claims.map(({ e164, attemptNumber, dueAt, claimId }) => {
    const progress = state.numbers.get(e164);
    const entry = progress?.entry;
    return {
      number: entry?.number ?? e164,
      e164,
      attemptNumber,
      dueAt,
      leaveMessage: leaveMessageOn(state.settings, attemptNumber),
      ...(entry?.name === undefined ? {} : { name: entry.name }),
      ...(entry?.parameters === undefined ? {} : { parameters: entry.parameters }),
      claimedUntil: claimed.claimedUntil,
      // A claim stored before claims had ids: the id replay gave it.
      claimId: claimId ?? progress?.claimId ?? "",
    };
  });
};

/** The reply to a directory command: the id it registered. */
export const directoryReply = (
  command: DirectoryCommand,
): CommandReplyOf<"register-call-flow" | "register-cli"> =>
  match(command)
    .with({ type: "RegisterCallFlow" }, ({ data }) => ({ callFlowId: data.callFlowId }))
    .with({ type: "RegisterCli" }, ({ data }) => ({ cliId: data.cliId }))
    .exhaustive();

const find = <T extends CampaignEventType>(
  events: readonly CampaignEvent[],
  type: T,
): CampaignEventOf<T> | undefined =>
  events.find((event): event is CampaignEventOf<T> => event.type === type);

/** A create always writes CampaignCreated (a repeat rebuilds from the stored events); the state after it holds the same settings. */
const createdSettings = (events: readonly CampaignEvent[], state: CampaignState) => {
  const settings =
    find(events, "CampaignCreated")?.data.settings ??
    (state.status === "absent" ? undefined : state.settings);
  if (settings === undefined)
    throw new Error(
      "a create-campaign reply without its campaign: the decider wrote no CampaignCreated",
    );
  return settings;
};

/** For a repeat that wrote nothing: the number's stored E.164. */
const numberIn = (state: CampaignState, number: string, region: string): string | undefined => {
  if (state.status === "absent") return undefined;
  const found = findNumber(state, number, region);
  return "kind" in found ? undefined : found.e164;
};
