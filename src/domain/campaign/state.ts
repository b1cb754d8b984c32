import { Map as ImmutableMap } from "immutable";
import type { CallingWindow } from "../calling-window.js";
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

export const firstAttempt = (settings: CampaignSettings): FirstAttempt => ({
  status: "pending",
  attemptNumber: 1,
  leaveMessage: leaveMessageOn(settings, 1),
});

export const isCompleted = (progress: NumberProgress): boolean => progress.next.status === "completed";

/** What re-planning reads of a next step; anything else a step carries (a retry's dueAt) is kept as it is. */
export type PlannedStep =
  | { readonly status: "completed" }
  | { readonly status: "pending" | "retry"; readonly attemptNumber: number; readonly leaveMessage: boolean };

const EXHAUSTED = { status: "completed", result: "exhausted" } as const;

/**
 * A kept number's next step once a CampaignUpdated has replaced the settings:
 * a number not yet completed is planned again under the new settings. An
 * attempt beyond the new maximum is never made (the number is exhausted);
 * otherwise the AnswerPhoneMessage policy is applied afresh. A retry keeps its
 * dueAt: it was computed when the previous attempt was recorded (that
 * attempt's time plus its interval, moved into a calling window), and is not
 * recomputed. Returns `next` itself when nothing changes. Shared by the
 * domain's evolve and the read models' evolvers, so that they keep mirroring it.
 */
export const replanAfterUpdate = <Step extends PlannedStep>(next: Step, settings: CampaignSettings): Step | typeof EXHAUSTED => {
  if (next.status === "completed") return next;
  if (next.attemptNumber > maxAttempts(settings)) return EXHAUSTED;
  const leaveMessage = leaveMessageOn(settings, next.attemptNumber);
  return leaveMessage === next.leaveMessage ? next : { ...next, leaveMessage };
};
