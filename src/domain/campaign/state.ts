import { Map as ImmutableMap } from "immutable";
import { type CallingWindow, callingWindows, nextCallingTime } from "../calling-window.js";
import type { CampaignSettings } from "./definition.js";
import type { NextStep, NumberEntry } from "./events.js";

/** The first attempt of a number, before any outcome: due as soon as a window is open. */
export type FirstAttempt = { readonly status: "pending"; readonly attemptNumber: 1; readonly leaveMessage: boolean };
export type NumberStep = FirstAttempt | NextStep;

export type LastAttempt = { readonly attemptNumber: number; readonly outcome: number; readonly occurredAt: string };

export type NumberProgress = {
  readonly entry: NumberEntry;
  readonly last?: LastAttempt;
  readonly next: NumberStep;
  /** The attempt during which the callee opted out: its outcome and stages may still arrive. */
  readonly optedOutOn?: number;
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
};

export type CampaignState = { readonly status: "absent" } | Campaign;

export const initialCampaignState = (): CampaignState => ({ status: "absent" });

/** N, the maximum attempts per number: the attempts list's length, one when empty. */
export const maxAttempts = (settings: CampaignSettings): number => Math.max(1, settings.attempts.length);

/** Minutes to wait after attempt `attemptNumber` (attempts are stored sorted by attempt number). */
export const intervalAfter = (settings: CampaignSettings, attemptNumber: number): number =>
  settings.attempts[attemptNumber - 1]?.interval ?? 0;

/** The AnswerPhoneMessage policy for one attempt: 1 on the first call, 2 on the last call. */
export const leaveMessageOn = (settings: CampaignSettings, attemptNumber: number): boolean =>
  (settings.answerMachineDetected === 1 && attemptNumber === 1) ||
  (settings.answerMachineDetected === 2 && attemptNumber === maxAttempts(settings));

/** The campaign's calling windows: its start day and each runover day, in its time zone. */
export const callingWindowsOf = (settings: CampaignSettings): CallingWindow[] =>
  callingWindows([{ date: settings.startDate, startTime: settings.startTime, finishTime: settings.finishTime }, ...settings.runoverDays], settings.timeZone);

/**
 * When the retry after attempt `attemptNumber` (made at `occurredAt`) falls
 * due: `interval` minutes later, moved into the next calling window; undefined
 * when no window is left.
 */
export const retryDueAt = (settings: CampaignSettings, windows: readonly CallingWindow[], attemptNumber: number, occurredAt: string): string | undefined => {
  const due = nextCallingTime(windows, Date.parse(occurredAt) + intervalAfter(settings, attemptNumber) * 60_000);
  return due === undefined ? undefined : new Date(due).toISOString();
};

export const firstAttempt = (settings: CampaignSettings): FirstAttempt => ({
  status: "pending",
  attemptNumber: 1,
  leaveMessage: leaveMessageOn(settings, 1),
});

/** What re-planning reads of a next step; anything else a step carries is kept as it is. */
export type PlannedStep =
  | { readonly status: "completed" }
  | { readonly status: "pending"; readonly attemptNumber: number; readonly leaveMessage: boolean }
  | { readonly status: "retry"; readonly attemptNumber: number; readonly leaveMessage: boolean; readonly dueAt: string };

const EXHAUSTED = { status: "completed", result: "exhausted" } as const;

/**
 * A kept number's next step once a CampaignUpdated has replaced the settings:
 * a number not yet completed is planned again under the new settings, as if
 * they had always held. An attempt beyond the new maximum is never made (the
 * number is exhausted); a retry falls due afresh from its previous attempt
 * (`lastAttemptAt`) with the new interval, in the new calling windows, and is
 * exhausted when none is left; the AnswerPhoneMessage policy is applied anew.
 * Returns `next` itself when nothing changes. Run once, by decide (the
 * update carries the result), and by the upcaster of updates stored before.
 */
export const replanAfterUpdate = <Step extends PlannedStep>(
  next: Step,
  lastAttemptAt: string | undefined,
  settings: CampaignSettings,
  windows: readonly CallingWindow[],
): Step | typeof EXHAUSTED => {
  if (next.status === "completed") return next;
  if (next.attemptNumber > maxAttempts(settings)) return EXHAUSTED;
  const leaveMessage = leaveMessageOn(settings, next.attemptNumber);
  if (next.status === "retry" && lastAttemptAt !== undefined) {
    const dueAt = retryDueAt(settings, windows, next.attemptNumber - 1, lastAttemptAt);
    if (dueAt === undefined) return EXHAUSTED;
    return dueAt === next.dueAt && leaveMessage === next.leaveMessage ? next : { ...next, dueAt, leaveMessage };
  }
  return leaveMessage === next.leaveMessage ? next : { ...next, leaveMessage };
};
