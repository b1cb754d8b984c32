import type { CampaignEvent } from "./events.js";
import { evolveCampaign } from "./evolve.js";
import { isLegacyCampaignUpdated, upcastCampaignUpdated } from "./replan.js";
import { decodeCampaignEvent } from "./stored-event.js";
import { type CampaignState, initialCampaignState } from "./state.js";

/**
 * Reads a run of one campaign's stored events that starts at its first event
 * (an audit replay, a projection catching up on a campaign): each is decoded
 * (stored-event.ts), and each update stored before it carried its re-plan
 * gets it from the state folded up to it. Without such an update nothing is folded.
 */
export const upcastCampaignStream = <E extends { type: string; data: unknown }>(
  events: readonly E[],
): E[] => {
  const decoded = events.map((event) => ({ ...event, data: decodeCampaignEvent(event).data }));
  if (!decoded.some(isLegacyCampaignUpdated)) return decoded;
  let state: CampaignState = initialCampaignState();
  return decoded.map((event) => {
    const current = isLegacyCampaignUpdated(event)
      ? { ...event, data: upcastCampaignUpdated(state, event).data }
      : event;
    state = evolveCampaign(state, current as unknown as CampaignEvent);
    return current;
  });
};
