import { domainError } from "../errors.js";
import { OUTCOME_BUSY, outcomeRule } from "../outcomes.js";
import { occurredInTheFuture } from "./clock-skew.js";
import type { RecordAttemptOutcomeBody } from "./commands.js";
import type { CampaignEvent, NextStep } from "./events.js";
import {
  type Campaign,
  type NumberProgress,
  holdsClaim,
  leaveMessageOn,
  maxAttempts,
  retryDueAt,
} from "./state.js";
import { aboutNumber } from "./find-number.js";
import { windowsOf } from "./queue.js";

/**
 * Records a call's outcome against the number's next attempt. Named with the
 * `claimId` it was made under, the call is recorded whatever became of the
 * claim or the number meanwhile: the call happened. A number completed while
 * the call was under way (excluded, say) stays completed, with the outcome of
 * that attempt recorded; `claimWasNotHeld` says the claim was no longer the
 * number's live one (it had lapsed, been released, or gone to another caller).
 */
export const recordAttemptOutcome = aboutNumber<RecordAttemptOutcomeBody>(
  (command, { e164, progress }, campaign, context) => {
    const { attemptNumber, outcome, occurredAt, claimId } = command;

    if (progress.last?.attemptNumber === attemptNumber) {
      const same = progress.last.outcome === outcome && progress.last.occurredAt === occurredAt;
      return same
        ? [] // an exact repeat of the last attempt: already recorded
        : domainError(
            "conflict",
            `attempt ${attemptNumber} of ${command.number} is already recorded with another outcome or time`,
            [
              {
                field: "attemptNumber",
                number: command.number,
                reason: `already recorded as outcome ${progress.last.outcome} at ${progress.last.occurredAt}`,
              },
            ],
          );
    }
    // The call in which the callee opted out still ends with an outcome; the number stays opted
    // out.
    const inOptOutCall = progress.optedOutOn === attemptNumber;
    // The call made under the number's latest claim, on the attempt that claim was for, though the
    // number was completed meanwhile.
    const completedMidCall =
      claimId !== undefined &&
      progress.next.status === "completed" &&
      progress.claimId === claimId &&
      attemptNumber === (progress.last?.attemptNumber ?? 0) + 1;
    if (progress.next.status === "completed" && !inOptOutCall && !completedMidCall)
      return domainError(
        "conflict",
        `${command.number} is completed (${progress.next.result}); no more attempts`,
        [{ field: "number", number: command.number, reason: `completed: ${progress.next.result}` }],
      );
    if (
      !inOptOutCall &&
      progress.next.status !== "completed" &&
      attemptNumber !== progress.next.attemptNumber
    )
      return domainError(
        "conflict",
        `the next attempt of ${command.number} is ${progress.next.attemptNumber}, not ${attemptNumber}`,
        [
          {
            field: "attemptNumber",
            number: command.number,
            reason: `expected ${progress.next.attemptNumber}`,
          },
        ],
      );
    const future = occurredInTheFuture(occurredAt, context.now);
    if (future) return future;
    if (progress.last && occurredAt < progress.last.occurredAt)
      return domainError(
        "rule_violated",
        `attempt ${attemptNumber} cannot precede attempt ${progress.last.attemptNumber}`,
        [
          {
            field: "occurredAt",
            reason: `before the previous attempt at ${progress.last.occurredAt}`,
          },
        ],
      );

    const rule = outcomeRule(outcome);
    const next: NextStep =
      progress.next.status === "completed"
        ? progress.next // completed meanwhile (opted out in this call, excluded): it stays so
        : nextStep(campaign, progress, attemptNumber, outcome, rule.after, occurredAt);
    const claim =
      claimId === undefined
        ? {}
        : holdsClaim(progress, claimId, Date.parse(context.now))
          ? { claimId }
          : { claimId, claimWasNotHeld: true as const };
    const events: CampaignEvent[] = [
      {
        type: "AttemptOutcomeRecorded",
        data: { e164, attemptNumber, outcome, outcomeName: rule.name, occurredAt, next, ...claim },
      },
    ];
    // A completed number (an opted-out callee, an excluded number) gets no SMS either.
    if (
      outcome === OUTCOME_BUSY &&
      progress.next.status !== "completed" &&
      smsDue(campaign, attemptNumber, next)
    )
      events.push(smsRequest(campaign, progress, attemptNumber, occurredAt));
    return events;
  },
);

/**
 * A retry is due `interval` minutes (or the outcome's retry rule's) after the
 * attempt, moved into the next calling window on the number's own clock.
 */
const nextStep = (
  campaign: Campaign,
  progress: NumberProgress,
  attemptNumber: number,
  outcome: number,
  after: ReturnType<typeof outcomeRule>["after"],
  occurredAt: string,
): NextStep => {
  if (after !== "retry") return { status: "completed", result: after };
  if (attemptNumber >= maxAttempts(campaign.settings))
    return { status: "completed", result: "exhausted" };
  const dueAt = retryDueAt(
    campaign.settings,
    windowsOf(campaign, progress.entry),
    attemptNumber,
    occurredAt,
    outcome,
  );
  if (dueAt === undefined) return { status: "completed", result: "exhausted" };
  const retry = attemptNumber + 1;
  return {
    status: "retry",
    attemptNumber: retry,
    dueAt,
    leaveMessage: leaveMessageOn(campaign.settings, retry),
  };
};

/** SMSOnBusy: 1 on the first call; 2 on the last call, including a call after which no window is left. */
const smsDue = (campaign: Campaign, attemptNumber: number, next: NextStep): boolean =>
  (campaign.settings.smsOnBusy === 1 && attemptNumber === 1) ||
  (campaign.settings.smsOnBusy === 2 && next.status === "completed");

const smsRequest = (
  campaign: Campaign,
  progress: NumberProgress,
  attemptNumber: number,
  occurredAt: string,
): CampaignEvent => ({
  type: "SmsRequested",
  data: {
    e164: progress.entry.e164,
    number: progress.entry.number,
    ...(progress.entry.name === undefined ? {} : { name: progress.entry.name }),
    ...(progress.entry.parameters === undefined ? {} : { parameters: progress.entry.parameters }),
    attemptNumber,
    policy: campaign.settings.smsOnBusy,
    occurredAt,
  },
});
