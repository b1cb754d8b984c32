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
export const toCampaignLogEvent = (event: ProjectedEvent): CampaignLogEvent | undefined => {
  if (!knownTypes.has(event.type)) return undefined;
  // A literal of one shape, not a spread of the decoded event: this runs for every event of the
  // log.
  const { type, data } = decodeCampaignEvent(event);
  return {
    type,
    data,
    position: event.position,
    recordedAt: event.recordedAt,
    clientId: event.clientId,
    campaignId: event.campaignId,
  } as CampaignLogEvent;
};

/**
 * The events about the client's exclusion lists (a list changed or applied,
 * numbers turned away because a list holds them): they change no number on
 * the campaign (NumbersExcluded does that).
 */
export const exclusionListTypes = [
  "ExclusionsAdded",
  "ExclusionsRemoved",
  "ClientExclusionsApplied",
  "ExcludedPhoneNumbersSkipped",
] as const satisfies readonly CampaignEvent["type"][];

/**
 * The events about the dial list rather than the calls made or the
 * campaign's numbers and settings: the exclusion lists, numbers excluded,
 * opted out or turned away as invalid, claims on numbers and their release.
 * The summary, timeline and attempts models read none of them.
 */
export const dialListTypes = [
  ...exclusionListTypes,
  "NumbersExcluded",
  "NumberOptedOut",
  "InvalidPhoneNumbersIgnored",
  "AttemptsClaimed",
  "ClaimsReleased",
] as const satisfies readonly CampaignEvent["type"][];

/**
 * A guard for a group of event types (exclusionListTypes, dialListTypes): the
 * evolvers' switches take a whole group in their default branch.
 */
export const eventsOf = <T extends CampaignEvent["type"]>(types: readonly T[]) => {
  const members: ReadonlySet<string> = new Set(types);
  return <E extends { readonly type: string }>(
    event: E,
  ): event is Extract<E, { readonly type: T }> => members.has(event.type);
};

/** The end of an exhaustive switch over the event types: a type it misses does not compile. */
export const unhandled = (event: never): never => {
  throw new Error(`no branch for event type ${(event as { type?: unknown }).type}`);
};

/**
 * Effectively once: an event at or before the position a model already
 * reflects (a replay after a restart, a duplicate delivery) changes nothing.
 * Positions are compared as digit strings (shorter is smaller, then
 * lexicographic), which spares parsing a BigInt on every event.
 */
export const alreadyApplied = (
  model: { readonly position: string } | undefined,
  event: { readonly position: bigint },
): boolean => model !== undefined && !positionAfter(positionText(event.position), model.position);

/**
 * A log position as digits. Every evolver asks for the same event's position
 * in turn, so the last answer is remembered (a memo of a pure function).
 */
let lastPosition: bigint | undefined;
let lastPositionText = "";
export const positionText = (position: bigint): string => {
  if (position !== lastPosition) {
    lastPositionText = position.toString();
    lastPosition = position;
  }
  return lastPositionText;
};

/**
 * `stamp(change)`: the model changed by `change` (none: as it is) with the
 * event's position stamped on it; undefined while there is no model.
 */
export type Stamp<M> = (change?: (current: M) => M) => M | undefined;

/**
 * The frame of an evolver whose model carries its log position: an event at
 * or before that position changes nothing (alreadyApplied); any other goes to
 * `apply` with a `stamp` for the model and the event's position as a string
 * (for the model an event creates).
 */
export const evolvePositioned = <M extends { readonly position: string }>(
  model: M | undefined,
  event: { readonly position: bigint },
  apply: (stamp: Stamp<M>, position: string) => M | undefined,
): M | undefined => {
  if (alreadyApplied(model, event)) return model;
  const position = positionText(event.position);
  return apply(
    (change) =>
      model === undefined
        ? undefined
        : { ...(change === undefined ? model : change(model)), position },
    position,
  );
};

/** Whether log position `a` comes after `b`, both canonical digit strings. */
export const positionAfter = (a: string, b: string): boolean =>
  a.length === b.length ? a > b : a.length > b.length;
