import { domainError } from "../errors.js";
import { STAGE_OPT_OUT, stageName } from "../stages.js";
import { occurredInTheFuture } from "./clock-skew.js";
import type { RecordStageReachedBody } from "./commands.js";
import type { CampaignEvent } from "./events.js";
import { aboutNumber } from "./find-number.js";
import type { NumberProgress } from "./state.js";

/**
 * The attempt a call may be under way for: the next one, the one in which the
 * callee opted out, or, for a number excluded meanwhile, the one after the
 * last recorded (its call still reaches stages: an opt-out in it must count).
 */
const attemptUnderWay = (progress: NumberProgress): number | undefined => {
  const next = progress.next;
  if (next.status !== "completed") return next.attemptNumber;
  if (progress.optedOutOn !== undefined) return progress.optedOutOn;
  return next.result === "excluded" ? (progress.last?.attemptNumber ?? 0) + 1 : undefined;
};

/**
 * Stages are reached during a call, so they may arrive before its outcome
 * (the attempt in progress) or after it (the attempt just recorded).
 */
export const recordStageReached = aboutNumber<RecordStageReachedBody>(
  (command, { e164, progress }, _campaign, context) => {
    const { attemptNumber, stage, occurredAt } = command;

    const current = [progress.last?.attemptNumber, attemptUnderWay(progress)];
    if (!current.includes(attemptNumber))
      return domainError(
        "conflict",
        `attempt ${attemptNumber} is not the current attempt of ${command.number}`,
        [
          {
            field: "attemptNumber",
            number: command.number,
            reason: `current attempt is ${current.filter(Boolean).join(" or ")}`,
          },
        ],
      );
    const future = occurredInTheFuture(occurredAt, context.now);
    if (future) return future;

    const events: CampaignEvent[] = [
      {
        type: "StageReached",
        data: { e164, attemptNumber, stage, stageName: stageName(stage), occurredAt },
      },
    ];
    const alreadyOptedOut =
      progress.next.status === "completed" && progress.next.result === "opted_out";
    if (stage === STAGE_OPT_OUT && !alreadyOptedOut)
      events.push({ type: "NumberOptedOut", data: { e164, attemptNumber, occurredAt } });
    return events;
  },
);
