import type { Decider } from "../decider.js";
import type { CampaignCommand } from "./commands.js";
import type { CampaignContext } from "./context.js";
import { decideCampaign } from "./decide.js";
import type { CampaignEvent } from "./events.js";
import { evolveCampaign } from "./evolve.js";
import { type CampaignState, initialCampaignState } from "./state.js";

export const campaignDecider: Decider<
  CampaignCommand,
  CampaignEvent,
  CampaignState,
  CampaignContext
> = {
  decide: decideCampaign,
  evolve: evolveCampaign,
  initialState: initialCampaignState,
};

export const campaignStreamId = (campaignId: string): string => `campaign-${campaignId}`;
