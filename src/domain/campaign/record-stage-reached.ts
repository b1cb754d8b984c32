import { domainError } from "../errors.js";
import { STAGE_OPT_OUT, stageName } from "../stages.js";
import { occurredInTheFuture } from "./clock-skew.js";
import type { RecordStageReachedBody } from "./commands.js";
import type { CampaignEvent } from "./events.js";
import { aboutNumber } from "./find-number.js";

/**
 * Stages are reached during a call, so they may arrive before its outcome
 * (the attempt in progress) or after it (the attempt just recorded).
 */
export const recordStageReached = aboutNumber<RecordStageReachedBody>(
  (command, { e164, progress }, _campaign, context) => {
    const { attemptNumber, stage, occurredAt } = command;

    const current = [
      progress.last?.attemptNumber,
      progress.next.status === "completed" ? progress.optedOutOn : progress.next.attemptNumber,
    ];
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
