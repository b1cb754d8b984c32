import type { CallingWindow } from "../calling-window.js";
import { firstDue } from "../due-index.js";
import { addedSince } from "../exclusions/client-list.js";
import { inForce } from "../exclusions/list.js";
import { normalisePhoneNumber } from "../phone-number.js";
import type { ClaimDueAttemptsBody, ReleaseClaimsBody } from "./commands.js";
import type { CampaignContext } from "./context.js";
import type { CampaignEvent } from "./events.js";
import { buildQueue } from "./queue.js";
import { type Campaign, isCompleted } from "./state.js";

/** Whether one of the windows is open at `at`. */
export const isOpenAt = (windows: readonly CallingWindow[], at: number): boolean =>
  windows.some((w) => w.opensAt <= at && at < w.closesAt);

/**
 * The numbers the client's list has excluded since the campaign last applied
 * it: only the additions after the campaign's version are looked at, so a
 * claim costs nothing when the list has not changed.
 */
const newlyExcluded = (campaign: Campaign, context: CampaignContext): string[] => {
  const list = context.clientExclusions;
  const found = new Set<string>();
  for (const e164 of addedSince(list, campaign.clientExclusionsVersion)) {
    const progress = campaign.numbers.get(e164);
    if (progress && !isCompleted(progress) && inForce(list.entries.get(e164), context.now))
      found.add(e164);
  }
  return [...found];
};

/** Applies the client's list first (numbers it now covers are completed as excluded), then claims what is due. */
export const claimDueAttempts = (
  command: ClaimDueAttemptsBody,
  campaign: Campaign,
  context: CampaignContext,
): CampaignEvent[] => {
  const events: CampaignEvent[] = [];
  const excluded = newlyExcluded(campaign, context);
  if (excluded.length > 0)
    events.push({ type: "NumbersExcluded", data: { list: "client", numbers: excluded } });
  if (context.clientExclusions.version > campaign.clientExclusionsVersion)
    events.push({
      type: "ClientExclusionsApplied",
      data: { version: context.clientExclusions.version },
    });
  if (campaign.status !== "active") return events;

  const claims = dueNow(campaign, Date.parse(context.now), command.limit, new Set(excluded));
  if (claims.length === 0) return events;
  const claimedUntil = new Date(
    Date.parse(context.now) + command.claimSeconds * 1000,
  ).toISOString();
  events.push({ type: "AttemptsClaimed", data: { claimedAt: context.now, claimedUntil, claims } });
  return events;
};

/**
 * Up to `limit` attempts callable at `now`, oldest due first: from each zone
 * whose window is open, the numbers due by now (a claimed number is keyed by
 * its claim's end, so a claim in force is never due, a lapsed one is).
 */
const dueNow = (campaign: Campaign, now: number, limit: number, skip: ReadonlySet<string>) => {
  const queue = campaign.queue ?? buildQueue(campaign);
  const candidates: { at: number; id: string }[] = [];
  for (const [zone, index] of queue) {
    const windows = campaign.zones.get(zone)?.windows ?? [];
    if (isOpenAt(windows, now)) candidates.push(...firstDue(index, now, limit + skip.size));
  }
  candidates.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const claims: { e164: string; attemptNumber: number; dueAt: string }[] = [];
  for (const { id } of candidates) {
    if (claims.length === limit) break;
    const progress = campaign.numbers.get(id);
    if (!progress || skip.has(id) || progress.next.status === "completed") continue;
    const next = progress.next;
    const dueAt =
      next.status === "retry"
        ? next.dueAt
        : new Date(
            campaign.zones.get(zoneKey(campaign, progress.entry.timeZone))?.firstOpensAt ?? now,
          ).toISOString();
    claims.push({ e164: id, attemptNumber: next.attemptNumber, dueAt });
  }
  return claims;
};

const zoneKey = (campaign: Campaign, timeZone: string | undefined): string =>
  timeZone ?? campaign.settings.timeZone;

/** Releases the listed numbers' claims that are still in force; other numbers are left as they are. */
export const releaseClaims = (
  command: ReleaseClaimsBody,
  campaign: Campaign,
  context: CampaignContext,
): CampaignEvent[] => {
  const now = Date.parse(context.now);
  const released = new Set<string>();
  for (const number of command.numbers) {
    const normalised = normalisePhoneNumber(number, context.defaultRegion, "possible");
    const progress = normalised.ok ? campaign.numbers.get(normalised.e164) : undefined;
    if (progress?.claimedUntil !== undefined && progress.claimedUntil > now)
      released.add(progress.entry.e164);
  }
  return released.size === 0 ? [] : [{ type: "ClaimsReleased", data: { numbers: [...released] } }];
};
