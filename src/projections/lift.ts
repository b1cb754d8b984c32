import { type CampaignLogEvent, toCampaignLogEvent } from "./evolvers/index.js";
import type { ProjectedEvent } from "./projection.js";

/**
 * The projector hands one event to every projection in turn: it is decoded
 * once, for the first, and the others reuse it (events are immutable, so the
 * last one decoded is remembered by identity).
 */
let lastEvent: ProjectedEvent | undefined;
let lastDecoded: CampaignLogEvent | undefined;
const decoded = (event: ProjectedEvent): CampaignLogEvent | undefined => {
  if (event !== lastEvent) {
    lastDecoded = toCampaignLogEvent(event);
    lastEvent = event;
  }
  return lastDecoded;
};

/** Lifts a pure evolver over the projector's events: events of unknown types change nothing. */
export const lift =
  <Model>(evolve: (model: Model | undefined, event: CampaignLogEvent) => Model | undefined) =>
  (model: Model | undefined, event: ProjectedEvent): Model | undefined => {
    const known = decoded(event);
    return known ? evolve(model, known) : model;
  };
