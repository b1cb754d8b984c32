import type { CallingWindow } from "../calling-window.js";
import { dueInOrder } from "../due-index.js";
import { addedSince } from "../exclusions/client-list.js";
import { completes, inForce } from "../exclusions/list.js";
import { normalisePhoneNumber } from "../phone-number.js";
import type { ClaimDueAttemptsBody, ReleaseClaimsBody } from "./commands.js";
import type { CampaignContext } from "./context.js";
import type { CampaignEvent } from "./events.js";
import { buildQueue } from "./queue.js";
import { type Campaign, claimIdOf, holdsClaim, isCompleted } from "./state.js";

/** Whether one of the windows is open at `at`. */
export const isOpenAt = (windows: readonly CallingWindow[], at: number): boolean =>
  windows.some((w) => w.opensAt <= at && at < w.closesAt);

/**
 * The numbers the client's list has excluded for good since the campaign last
 * applied it: only the additions after the campaign's version are looked at,
 * so a claim costs nothing when the list has not changed. An entry with an
 * expiry completes nothing: it holds the number back while in force (heldBack).
 */
const newlyExcluded = (campaign: Campaign, context: CampaignContext): string[] => {
  const list = context.clientExclusions;
  const found = new Set<string>();
  for (const e164 of addedSince(list, campaign.clientExclusionsVersion)) {
    const progress = campaign.numbers.get(e164);
    if (progress && !isCompleted(progress) && completes(list.entries.get(e164), context.now))
      found.add(e164);
  }
  return [...found];
};

/** Whether an entry in force on either list (one with an expiry, as one without completes the number) holds the number back now. */
export const heldBack = (campaign: Campaign, context: CampaignContext, e164: string): boolean =>
  inForce(campaign.exclusions.get(e164), context.now) ||
  inForce(context.clientExclusions.entries.get(e164), context.now);

/** Applies the client's list first (numbers it now excludes for good are completed as excluded), then claims what is due. */
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

  const skip = new Set(excluded);
  const claims = dueNow(
    campaign,
    Date.parse(context.now),
    command.limit,
    (e164) => skip.has(e164) || heldBack(campaign, context, e164),
  );
  if (claims.length === 0) return events;
  const claimedUntil = new Date(
    Date.parse(context.now) + command.claimSeconds * 1000,
  ).toISOString();
  const batch = campaign.claimBatches + 1;
  events.push({
    type: "AttemptsClaimed",
    data: {
      claimedAt: context.now,
      claimedUntil,
      claims: claims.map((claim, index) => ({ ...claim, claimId: claimIdOf(batch, index) })),
    },
  });
  return events;
};

/** The open zones' due numbers merged into one order: oldest due first, ties by number. */
function* dueAcrossZones(campaign: Campaign, now: number) {
  const queue = campaign.queue ?? buildQueue(campaign);
  const heads: { next: { at: number; id: string }; rest: Iterator<{ at: number; id: string }> }[] =
    [];
  for (const [zone, index] of queue) {
    if (!isOpenAt(campaign.zones.get(zone)?.windows ?? [], now)) continue;
    const rest = dueInOrder(index, now);
    const first = rest.next();
    if (!first.done) heads.push({ next: first.value, rest });
  }
  while (heads.length > 0) {
    let min = 0;
    for (let i = 1; i < heads.length; i++) {
      const a = heads[i]!.next;
      const b = heads[min]!.next;
      if (a.at < b.at || (a.at === b.at && a.id < b.id)) min = i;
    }
    const head = heads[min]!;
    yield head.next;
    const following = head.rest.next();
    if (following.done) heads.splice(min, 1);
    else head.next = following.value;
  }
}

/**
 * Up to `limit` attempts callable at `now`, oldest due first: from each zone
 * whose window is open, the numbers due by now (a claimed number is keyed by
 * its claim's end, so a claim in force is never due, a lapsed one is). A
 * number `skip` names (held back) is passed over, so a claim reads as many
 * entries as it hands out plus those it passes over, never the whole queue.
 */
const dueNow = (
  campaign: Campaign,
  now: number,
  limit: number,
  skip: (e164: string) => boolean,
) => {
  const claims: { e164: string; attemptNumber: number; dueAt: string }[] = [];
  for (const { id } of dueAcrossZones(campaign, now)) {
    if (claims.length === limit) break;
    const progress = campaign.numbers.get(id);
    if (!progress || progress.next.status === "completed" || skip(id)) continue;
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

/**
 * Ends the claims named: by `claimId`, only a claim that is still the
 * number's live one (a late release by a caller whose claim lapsed, and went
 * to another caller, ends nothing); by `numbers` (an operator's override),
 * whatever live claim each number has. The rest are `notHeld`.
 */
export const releaseClaims = (
  command: ReleaseClaimsBody,
  campaign: Campaign,
  context: CampaignContext,
): CampaignEvent[] => {
  const now = Date.parse(context.now);
  const named =
    command.claims ?? (command.numbers ?? []).map((number) => ({ number, claimId: undefined }));
  const released = new Set<string>();
  const notHeld = new Set<string>();
  for (const { number, claimId } of named) {
    const normalised = normalisePhoneNumber(number, context.defaultRegion, "possible");
    const progress = normalised.ok ? campaign.numbers.get(normalised.e164) : undefined;
    const held =
      progress !== undefined &&
      (claimId === undefined
        ? progress.claimedUntil !== undefined && progress.claimedUntil > now
        : holdsClaim(progress, claimId, now));
    if (held) released.add(progress.entry.e164);
    else if (!(progress && released.has(progress.entry.e164))) notHeld.add(number);
  }
  return released.size === 0
    ? []
    : [
        {
          type: "ClaimsReleased",
          data: { numbers: [...released], ...(notHeld.size > 0 ? { notHeld: [...notHeld] } : {}) },
        },
      ];
};
