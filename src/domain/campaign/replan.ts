import type { CampaignSettings } from "./definition.js";
import type { CampaignEventOf, NumberEntry, ReplannedNumber } from "./events.js";
import { type Campaign, type CampaignState, replanAfterUpdate } from "./state.js";
import { windowsOf, withZonesOf, zoneWindows } from "./queue.js";

/**
 * The kept numbers' next steps under an update's new settings (the rule is
 * `replanAfterUpdate`): only those that change. Run once, by decide; the
 * event carries the result to every evolver.
 */
export const replanKept = (
  campaign: Campaign,
  numbers: readonly NumberEntry[],
  settings: CampaignSettings,
): ReplannedNumber[] => {
  // Each number's windows on its own clock, under the new settings.
  const scope = {
    settings,
    zones: withZonesOf(
      new Map([[settings.timeZone, zoneWindows(settings, settings.timeZone)]]),
      settings,
      numbers,
    ),
  };
  const replanned: ReplannedNumber[] = [];
  for (const entry of numbers) {
    const { e164 } = entry;
    const kept = campaign.numbers.get(e164);
    if (!kept) continue;
    const next = replanAfterUpdate(
      kept.next,
      kept.last?.occurredAt,
      settings,
      windowsOf(scope, entry),
      kept.last?.outcome,
    );
    if (next !== kept.next) replanned.push({ e164, next });
  }
  return replanned;
};

type CampaignUpdatedData = CampaignEventOf<"CampaignUpdated">["data"];

/** A CampaignUpdated as stored before it carried its re-plan. */
export type LegacyCampaignUpdated = {
  type: "CampaignUpdated";
  data: Omit<CampaignUpdatedData, "replanned">;
};

export const isLegacyCampaignUpdated = (event: {
  type: string;
  data: unknown;
}): event is LegacyCampaignUpdated =>
  event.type === "CampaignUpdated" &&
  typeof event.data === "object" &&
  event.data !== null &&
  !("replanned" in event.data);

/**
 * Upcasts an update stored without its re-plan: computes it from the
 * campaign's state just before the event, as decide does today.
 */
export const upcastCampaignUpdated = (
  before: CampaignState,
  event: LegacyCampaignUpdated,
): CampaignEventOf<"CampaignUpdated"> => ({
  type: "CampaignUpdated",
  data: {
    ...event.data,
    replanned:
      before.status === "absent" ? [] : replanKept(before, event.data.numbers, event.data.settings),
  },
});
