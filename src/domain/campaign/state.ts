import { Map as ImmutableMap } from "immutable";
import { type CallingWindow, callingWindows, nextCallingTime } from "../calling-window.js";
import type { CampaignSettings } from "./definition.js";
import type { NextStep, NumberEntry } from "./events.js";
import type { DueIndex } from "../due-index.js";
import type { ExclusionList } from "../exclusions/list.js";

/** The first attempt of a number, before any outcome: due as soon as a window is open. */
export type FirstAttempt = {
  readonly status: "pending";
  readonly attemptNumber: 1;
  readonly leaveMessage: boolean;
};
export type NumberStep = FirstAttempt | NextStep;

export type LastAttempt = {
  readonly attemptNumber: number;
  readonly outcome: number;
  readonly occurredAt: string;
};

export type NumberProgress = {
  readonly entry: NumberEntry;
  readonly last?: LastAttempt;
  readonly next: NumberStep;
  /** The attempt during which the callee opted out: its outcome and stages may still arrive. */
  readonly optedOutOn?: number;
  /** Epoch ms until which a caller holds the number's next attempt (claim-due-attempts). */
  readonly claimedUntil?: number;
  /**
   * The id of the number's latest claim, kept after the claim ends so that
   * an outcome of the call made under it is still recognised (claimId).
   */
  readonly claimId?: string;
};

/** A zone's calling windows, and when the first one opens (a first attempt's due time). */
export type ZoneWindows = {
  readonly windows: readonly CallingWindow[];
  readonly firstOpensAt: number | undefined;
};

export type Campaign = {
  readonly status: "active" | "paused" | "deleted";
  readonly campaignId: string;
  readonly clientId: string;
  readonly settings: CampaignSettings;
  /** Derived from the settings once, so that deciding a retry does no zone arithmetic on the windows. */
  readonly windows: readonly CallingWindow[];
  /** Keyed by E.164. A persistent map: each event shares all untouched numbers with the state before it. */
  readonly numbers: ImmutableMap<string, NumberProgress>;
  /** Calling windows per zone: the campaign's, and those of numbers on another clock. */
  readonly zones: ReadonlyMap<string, ZoneWindows>;
  /**
   * The dial queue: per zone, every number not completed, by the moment it is
   * next callable (its claim's end while claimed). Undefined only inside a
   * long replay, which rebuilds it once at its end (see queue.ts).
   */
  readonly queue: ReadonlyMap<string, DueIndex> | undefined;
  /** The campaign's own exclusion list. */
  readonly exclusions: ExclusionList;
  /** The client's exclusion list has been applied to the numbers up to this version. */
  readonly clientExclusionsVersion: number;
  /** AttemptsClaimed events so far: each claim's id is made from it (claimIdOf). */
  readonly claimBatches: number;
};

export type CampaignState = { readonly status: "absent" } | Campaign;

export const initialCampaignState = (): CampaignState => ({ status: "absent" });

/** N, the maximum attempts per number: the attempts list's length, one when empty. */
export const maxAttempts = (settings: CampaignSettings): number =>
  Math.max(1, settings.attempts.length);

/** Minutes to wait after attempt `attemptNumber` (attempts are stored sorted by attempt number). */
export const intervalAfter = (settings: CampaignSettings, attemptNumber: number): number =>
  settings.attempts[attemptNumber - 1]?.interval ?? 0;

/** The AnswerPhoneMessage policy for one attempt: 1 on the first call, 2 on the last call. */
export const leaveMessageOn = (settings: CampaignSettings, attemptNumber: number): boolean =>
  (settings.answerMachineDetected === 1 && attemptNumber === 1) ||
  (settings.answerMachineDetected === 2 && attemptNumber === maxAttempts(settings));

/**
 * The calling windows on one clock (the campaign's zone by default): its
 * start day and each runover day, less the excluded dates (holidays), which
 * are local dates on that same clock.
 */
export const callingWindowsOf = (
  settings: CampaignSettings,
  timeZone: string = settings.timeZone,
): CallingWindow[] => {
  const holidays = new Set(settings.excludedDates ?? []);
  const days = [
    { date: settings.startDate, startTime: settings.startTime, finishTime: settings.finishTime },
    ...settings.runoverDays,
  ];
  return callingWindows(
    days.filter((day) => !holidays.has(day.date)),
    timeZone,
  );
};

/**
 * Minutes to wait after attempt `attemptNumber` that ended with `outcome`: the
 * outcome's retry rule when it has one, else the attempt's interval; undefined
 * when the rule says no further attempt.
 */
export const retryInterval = (
  settings: CampaignSettings,
  attemptNumber: number,
  outcome: number | undefined,
): number | undefined => {
  const rule =
    outcome === undefined ? undefined : settings.retryRules?.find((r) => r.outcome === outcome);
  if (rule === undefined) return intervalAfter(settings, attemptNumber);
  return "interval" in rule ? rule.interval : undefined;
};

/**
 * When the retry after attempt `attemptNumber` (made at `occurredAt`, ended
 * with `outcome`) falls due: the wait later, moved into the next calling
 * window; undefined when no window is left or the rules allow no retry.
 */
export const retryDueAt = (
  settings: CampaignSettings,
  windows: readonly CallingWindow[],
  attemptNumber: number,
  occurredAt: string,
  outcome?: number,
): string | undefined => {
  const interval = retryInterval(settings, attemptNumber, outcome);
  if (interval === undefined) return undefined;
  const due = nextCallingTime(windows, Date.parse(occurredAt) + interval * 60_000);
  return due === undefined ? undefined : new Date(due).toISOString();
};

export const firstAttempt = (settings: CampaignSettings): FirstAttempt => ({
  status: "pending",
  attemptNumber: 1,
  leaveMessage: leaveMessageOn(settings, 1),
});

/**
 * A claim's id: the campaign's count of claim events up to and including the
 * one that handed it out, and the claim's place in that event. The decision
 * has no randomness, and this needs none: claims of one campaign are decided
 * one after another on its stream, so no two share a count, and a repeat of
 * the command (same Command-Id) answers the ids it stored. No phone number in
 * it, so an id in a dialler's logs is no personal data.
 */
export const claimIdOf = (claimBatch: number, index: number): string =>
  `${claimBatch.toString(36)}-${index.toString(36)}`;

/** Whether the number's live claim (held until after `now`) is `claimId`. */
export const holdsClaim = (progress: NumberProgress, claimId: string, now: number): boolean =>
  progress.claimId === claimId &&
  progress.claimedUntil !== undefined &&
  progress.claimedUntil > now;

/** A number with no attempt left to make (any final result). */
export const isCompleted = (progress: NumberProgress): boolean =>
  progress.next.status === "completed";

/** What re-planning reads of a next step; anything else a step carries is kept as it is. */
export type PlannedStep =
  | { readonly status: "completed" }
  | { readonly status: "pending"; readonly attemptNumber: number; readonly leaveMessage: boolean }
  | {
      readonly status: "retry";
      readonly attemptNumber: number;
      readonly leaveMessage: boolean;
      readonly dueAt: string;
    };

const EXHAUSTED = { status: "completed", result: "exhausted" } as const;

/**
 * A kept number's next step once a CampaignUpdated has replaced the settings: a number not yet
 * completed is planned again under the new settings, as if they had always held. An attempt beyond
 * the new maximum is never made (the number is exhausted); a retry falls due afresh from its
 * previous attempt (`lastAttemptAt`) with the new interval (or `lastOutcome`'s retry rule), in the
 * number's new calling windows, and is exhausted when none is left; the AnswerPhoneMessage policy
 * is applied anew. Returns `next` itself when nothing changes. Run once, by decide (the update
 * carries the result), and by the upcaster of updates stored before.
 */
export const replanAfterUpdate = <Step extends PlannedStep>(
  next: Step,
  lastAttemptAt: string | undefined,
  settings: CampaignSettings,
  windows: readonly CallingWindow[],
  lastOutcome?: number,
): Step | typeof EXHAUSTED => {
  if (next.status === "completed") return next;
  if (next.attemptNumber > maxAttempts(settings)) return EXHAUSTED;
  const leaveMessage = leaveMessageOn(settings, next.attemptNumber);
  if (next.status === "retry" && lastAttemptAt !== undefined) {
    const dueAt = retryDueAt(settings, windows, next.attemptNumber - 1, lastAttemptAt, lastOutcome);
    if (dueAt === undefined) return EXHAUSTED;
    return dueAt === next.dueAt && leaveMessage === next.leaveMessage
      ? next
      : { ...next, dueAt, leaveMessage };
  }
  return leaveMessage === next.leaveMessage ? next : { ...next, leaveMessage };
};
