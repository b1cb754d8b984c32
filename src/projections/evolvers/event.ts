import { type CampaignEvent, campaignEventTypes, decodeCampaignEvent } from "../../domain/index.js";
import type { ProjectedEvent } from "../projection.js";

/**
 * A campaign event as an evolver sees it: the domain event (typed, so that
 * evolvers dispatch exhaustively over the CampaignEvent union) plus where it
 * sits in the log. Events come from the store, where the decider wrote them
 * after validating them, so they are not parsed again here, only decoded
 * from their stored shape (tables of numbers, or the older lists).
 */
export type CampaignLogEvent = CampaignEvent & {
  readonly position: bigint;
  readonly recordedAt: string;
  readonly clientId: string;
  readonly campaignId: string;
};

const knownTypes: ReadonlySet<string> = new Set(campaignEventTypes);

/**
 * The projector's ProjectedEvent as a CampaignLogEvent, or undefined when its
 * type is not a campaign event (another stream's event, or a type this build
 * does not know: such an event changes no read model).
 */
export const toCampaignLogEvent = (event: ProjectedEvent): CampaignLogEvent | undefined =>
  knownTypes.has(event.type)
    ? ({
        ...decodeCampaignEvent(event),
        position: event.position,
        recordedAt: event.recordedAt,
        clientId: event.clientId,
        campaignId: event.campaignId,
      } as CampaignLogEvent)
    : undefined;

/**
 * Effectively once: an event at or before the position a model already
 * reflects (a replay after a restart, a duplicate delivery) changes nothing.
 * Positions are compared as digit strings (shorter is smaller, then
 * lexicographic), which spares parsing a BigInt on every event.
 */
export const alreadyApplied = (model: { readonly position: string } | undefined, event: { readonly position: bigint }): boolean =>
  model !== undefined && !positionAfter(event.position.toString(), model.position);

/** Whether log position `a` comes after `b`, both canonical digit strings. */
export const positionAfter = (a: string, b: string): boolean => (a.length === b.length ? a > b : a.length > b.length);
