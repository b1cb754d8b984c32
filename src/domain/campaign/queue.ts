import type { CallingWindow } from "../calling-window.js";
import {
  type DueIndex,
  byDueThenId,
  dueIndexFromSorted,
  emptyDueIndex,
  insertDue,
  moveDue,
} from "../due-index.js";
import type { CampaignSettings } from "./definition.js";
import type { NumberEntry } from "./events.js";
import { type Campaign, type NumberProgress, type ZoneWindows, callingWindowsOf } from "./state.js";

/**
 * The dial queue kept in the campaign's state: per zone, each number not yet
 * completed, keyed by the moment it is next callable. Numbers are indexed per
 * zone because every number of one zone shares its windows: when a zone's
 * window is open, everything due in its index is callable now, and a zone
 * whose window is closed is never scanned.
 */

/** The zone a number's windows are read in. */
export const zoneOf = (campaign: Pick<Campaign, "settings">, entry: NumberEntry): string =>
  entry.timeZone ?? campaign.settings.timeZone;

export const zoneWindows = (settings: CampaignSettings, timeZone: string): ZoneWindows => {
  const windows = callingWindowsOf(settings, timeZone);
  const first = windows.find((window) => window.closesAt > window.opensAt);
  return { windows, firstOpensAt: first?.opensAt };
};

/** The zones' windows with those of `entries`' zones added (each zone worked out once). */
export const withZonesOf = (
  zones: ReadonlyMap<string, ZoneWindows>,
  settings: CampaignSettings,
  entries: Iterable<NumberEntry>,
): ReadonlyMap<string, ZoneWindows> => {
  let added: Map<string, ZoneWindows> | undefined;
  for (const entry of entries) {
    const zone = entry.timeZone;
    if (zone === undefined || zones.has(zone) || added?.has(zone)) continue;
    added ??= new Map(zones);
    added.set(zone, zoneWindows(settings, zone));
  }
  return added ?? zones;
};

export const windowsOf = (
  campaign: Pick<Campaign, "settings" | "zones">,
  entry: NumberEntry,
): readonly CallingWindow[] => campaign.zones.get(zoneOf(campaign, entry))?.windows ?? [];

/** When a number is next callable: its retry's due time, its zone's first window for a first attempt, its claim's end while claimed. */
export const queueKey = (
  campaign: Pick<Campaign, "settings" | "zones">,
  progress: NumberProgress,
): number | undefined => {
  const next = progress.next;
  if (next.status === "completed") return undefined;
  if (progress.claimedUntil !== undefined) return progress.claimedUntil;
  return next.status === "retry"
    ? Date.parse(next.dueAt)
    : campaign.zones.get(zoneOf(campaign, progress.entry))?.firstOpensAt;
};

/** The queue after one number changed from `before` to `after` (either may be absent). */
export const requeue = (
  campaign: Campaign,
  before: NumberProgress | undefined,
  after: NumberProgress | undefined,
): Campaign => {
  if (campaign.queue === undefined) return campaign;
  const progress = after ?? before;
  if (progress === undefined) return campaign;
  const from = before === undefined ? undefined : queueKey(campaign, before);
  const to = after === undefined ? undefined : queueKey(campaign, after);
  if (from === to) return campaign;
  const zone = zoneOf(campaign, progress.entry);
  const index = campaign.queue.get(zone) ?? emptyDueIndex;
  const moved = moveDue(index, from, to, progress.entry.e164);
  if (moved === index) return campaign;
  return { ...campaign, queue: new Map(campaign.queue).set(zone, moved) };
};

/** The queue with fresh numbers added (one copy of the zone map for the lot). */
export const enqueueAll = (campaign: Campaign, added: readonly NumberProgress[]): Campaign => {
  if (campaign.queue === undefined || added.length === 0) return campaign;
  const queue = new Map(campaign.queue);
  for (const progress of added) {
    const at = queueKey(campaign, progress);
    if (at === undefined) continue;
    const zone = zoneOf(campaign, progress.entry);
    queue.set(zone, insertDue(queue.get(zone) ?? emptyDueIndex, at, progress.entry.e164));
  }
  return { ...campaign, queue };
};

/** The whole queue from the numbers: O(n log n), once after a long replay or an update. */
export const buildQueue = (campaign: Campaign): ReadonlyMap<string, DueIndex> => {
  const byZone = new Map<string, { at: number; id: string }[]>();
  for (const progress of campaign.numbers.values()) {
    const at = queueKey(campaign, progress);
    if (at === undefined) continue;
    const zone = zoneOf(campaign, progress.entry);
    let pairs = byZone.get(zone);
    if (!pairs) byZone.set(zone, (pairs = []));
    pairs.push({ at, id: progress.entry.e164 });
  }
  const queue = new Map<string, DueIndex>();
  for (const [zone, pairs] of byZone) queue.set(zone, dueIndexFromSorted(pairs.sort(byDueThenId)));
  return queue;
};
