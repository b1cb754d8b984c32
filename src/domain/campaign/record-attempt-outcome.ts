import { domainError } from "../errors.js";
import { OUTCOME_BUSY, outcomeRule } from "../outcomes.js";
import { occurredInTheFuture } from "./clock-skew.js";
import type { RecordAttemptOutcomeBody } from "./commands.js";
import type { CampaignEvent, NextStep } from "./events.js";
import {
  type Campaign,
  type NumberProgress,
  leaveMessageOn,
  maxAttempts,
  retryDueAt,
} from "./state.js";
import { aboutNumber } from "./find-number.js";
import { windowsOf } from "./queue.js";

export const recordAttemptOutcome = aboutNumber<RecordAttemptOutcomeBody>(
  (command, { e164, progress }, campaign, context) => {
    const { attemptNumber, outcome, occurredAt } = command;

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
    if (progress.next.status === "completed" && !inOptOutCall)
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
    const next: NextStep = inOptOutCall
      ? { status: "completed", result: "opted_out" }
      : nextStep(campaign, progress, attemptNumber, outcome, rule.after, occurredAt);
    const events: CampaignEvent[] = [
      {
        type: "AttemptOutcomeRecorded",
        data: { e164, attemptNumber, outcome, outcomeName: rule.name, occurredAt, next },
      },
    ];
    // An opted-out callee gets no SMS either.
    if (outcome === OUTCOME_BUSY && !inOptOutCall && smsDue(campaign, attemptNumber, next))
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
