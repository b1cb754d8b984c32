import { type CampaignLogEvent, toCampaignLogEvent } from "./evolvers/index.js";
import type { ProjectedEvent } from "./projection.js";

/** Lifts a pure evolver over the projector's events: events of unknown types change nothing. */
export const lift =
  <Model>(evolve: (model: Model | undefined, event: CampaignLogEvent) => Model | undefined) =>
  (model: Model | undefined, event: ProjectedEvent): Model | undefined => {
    const known = toCampaignLogEvent(event);
    return known ? evolve(model, known) : model;
  };
