import { nextCallingTime } from "../calling-window.js";
import { isOpenAt } from "./claims.js";
import { queueKey, zoneOf } from "./queue.js";
import { type Campaign, retryInterval } from "./state.js";
import { type ExclusionList, emptyExclusionList, inForce } from "../exclusions/list.js";

export type DialQueueCounts = {
  readonly id: string;
  readonly status: Campaign["status"];
  readonly dueNow: number;
  readonly claimed: number;
  readonly waitingForWindow: number;
  readonly waitingForRetry: number;
  readonly excluded: number;
  readonly completed: number;
  readonly nextDueAt: string | null;
};

/**
 * The campaign's numbers by where they stand in the dial queue at `now`
 * (the counts partition the numbers): due now (a claim would hand them out,
 * were the campaign active), claimed, waiting for a window on their own clock,
 * waiting for their retry's interval, excluded (completed as excluded, or
 * held back by an entry with an expiry in force on the campaign's list or
 * the client's, `clientList`), otherwise completed. `nextDueAt` is when the oldest unclaimed number fell or next
 * falls due (null when none ever will). One pass over the numbers: a query,
 * not the claim path.
 */
export const dialQueue = (
  campaign: Campaign,
  nowIso: string,
  clientList: ExclusionList = emptyExclusionList(),
): DialQueueCounts => {
  const now = Date.parse(nowIso);
  let dueNow = 0,
    claimed = 0,
    waitingForWindow = 0,
    waitingForRetry = 0,
    excluded = 0,
    completed = 0;
  let nextDue = Infinity;
  for (const progress of campaign.numbers.values()) {
    const next = progress.next;
    if (next.status === "completed") {
      if (next.result === "excluded") excluded++;
      else completed++;
      continue;
    }
    if (progress.claimedUntil !== undefined && progress.claimedUntil > now) {
      claimed++;
      continue;
    }
    const e164 = progress.entry.e164;
    if (inForce(campaign.exclusions.get(e164), nowIso) || inForce(clientList.get(e164), nowIso)) {
      excluded++;
      continue;
    }
    const windows = campaign.zones.get(zoneOf(campaign, progress.entry))?.windows ?? [];
    const at = queueKey(campaign, progress);
    if (at !== undefined && at <= now && isOpenAt(windows, now)) {
      dueNow++;
      nextDue = Math.min(nextDue, at);
      continue;
    }
    const callable = at === undefined ? undefined : nextCallingTime(windows, Math.max(at, now));
    if (callable !== undefined) nextDue = Math.min(nextDue, callable);
    const last = progress.last;
    const interval =
      last === undefined
        ? undefined
        : retryInterval(campaign.settings, last.attemptNumber, last.outcome);
    if (
      next.status === "retry" &&
      last !== undefined &&
      interval !== undefined &&
      Date.parse(last.occurredAt) + interval * 60_000 > now
    )
      waitingForRetry++;
    else waitingForWindow++;
  }
  return {
    id: campaign.campaignId,
    status: campaign.status,
    dueNow,
    claimed,
    waitingForWindow,
    waitingForRetry,
    excluded,
    completed,
    nextDueAt: nextDue === Infinity ? null : new Date(nextDue).toISOString(),
  };
};
