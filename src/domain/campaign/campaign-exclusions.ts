import type { AddExclusionsBody, RemoveExclusionsBody } from "../exclusions/commands.js";
import { admitExclusions, inForce, onTheList } from "../exclusions/list.js";
import type { CampaignContext } from "./context.js";
import type { CampaignEvent } from "./events.js";
import { type Campaign, isCompleted } from "./state.js";
import type { ExclusionListName } from "../exclusions/list.js";

/**
 * The campaign's own list grows; its numbers an entry without expiry now
 * covers are completed as excluded at once. An entry with an expiry completes
 * nothing: claims pass the number over while it is in force (heldBack).
 */
export const addCampaignExclusions = (
  command: AddExclusionsBody,
  campaign: Campaign,
  context: CampaignContext,
): CampaignEvent[] => {
  const added = admitExclusions(
    command.numbers,
    campaign.exclusions,
    context.now,
    context.defaultRegion,
  );
  if (added.entries.length === 0) return [];
  const covered = added.entries
    .filter((entry) => entry.expiresAt === undefined)
    .map((entry) => campaign.numbers.get(entry.e164))
    .filter((p) => p !== undefined && !isCompleted(p));
  return [
    { type: "ExclusionsAdded", data: added },
    ...(covered.length === 0
      ? []
      : [
          {
            type: "NumbersExcluded" as const,
            data: { list: "campaign" as const, numbers: covered.map((p) => p!.entry.e164) },
          },
        ]),
  ];
};

/** Numbers come off the campaign's list; those it had completed stay completed (their result is history). */
export const removeCampaignExclusions = (
  command: RemoveExclusionsBody,
  campaign: Campaign,
  context: CampaignContext,
): CampaignEvent[] => {
  const numbers = onTheList(command.numbers, campaign.exclusions, context.defaultRegion);
  return numbers.length === 0 ? [] : [{ type: "ExclusionsRemoved", data: { numbers } }];
};

/** Which list, if any, keeps a number out of the campaign at the decision's now: the campaign's own first. */
export const excludedBy =
  (campaign: Pick<Campaign, "exclusions"> | undefined, context: CampaignContext) =>
  (e164: string): ExclusionListName | undefined => {
    if (campaign && inForce(campaign.exclusions.get(e164), context.now)) return "campaign";
    if (inForce(context.clientExclusions.entries.get(e164), context.now)) return "client";
    return undefined;
  };
