import { Map as ImmutableMap } from "immutable";
import type { CampaignEvent, CampaignEventOf, CampaignEventType, NumberEntry } from "./events.js";
import type { CampaignSettings } from "./definition.js";
import { type Campaign, type CampaignState, type NumberProgress, callingWindowsOf, firstAttempt } from "./state.js";
import { type LegacyCampaignUpdated, isLegacyCampaignUpdated, upcastCampaignUpdated } from "./replan.js";

/** A decoded event as read from the store: the current shapes, or an older one that replay upcasts. */
export type CampaignEventAsRead = CampaignEvent | LegacyCampaignUpdated;

const fresh = (entry: NumberEntry, settings: CampaignSettings): NumberProgress => ({ entry, next: firstAttempt(settings) });

/** Events only ever follow a CampaignCreated; anything else on an absent campaign is ignored. */
const onCampaign = (state: CampaignState, change: (campaign: Campaign) => Campaign): CampaignState =>
  state.status === "absent" ? state : change(state);

const updateNumber = (campaign: Campaign, e164: string, change: (progress: NumberProgress) => NumberProgress): Campaign => {
  const progress = campaign.numbers.get(e164);
  if (!progress) return campaign;
  const numbers = campaign.numbers.set(e164, change(progress));
  // A transient map (during replay) is changed in place: no new campaign object needed.
  return numbers === campaign.numbers ? campaign : { ...campaign, numbers };
};

type Transitions = { [Type in CampaignEventType]: (state: CampaignState, data: CampaignEventOf<Type>["data"]) => CampaignState };

/**
 * One state transition per event type (evolveCampaign dispatches; "evolver"
 * names the read-model evolvers of src/projections). A mapped type rather than ts-pattern here:
 * it is just as exhaustive (a new event type is a compile error until it has
 * an entry) and a single lookup, which replay at over 1M events/s needs.
 */
const transitions: Transitions = {
  CampaignCreated: (_state, data) => ({
    status: "active",
    campaignId: data.campaignId,
    clientId: data.clientId,
    settings: data.settings,
    windows: callingWindowsOf(data.settings),
    numbers: ImmutableMap<string, NumberProgress>(),
  }),
  PhoneNumbersAdded: (state, data) =>
    onCampaign(state, (campaign) => ({
      ...campaign,
      numbers: campaign.numbers.withMutations((numbers) => {
        for (const entry of data.numbers) numbers.set(entry.e164, fresh(entry, campaign.settings));
      }),
    })),
  CampaignUpdated: (state, data) =>
    onCampaign(state, (campaign) => {
      const replanned = new Map(data.replanned.map(({ e164, next }) => [e164, next]));
      return {
        ...campaign,
        settings: data.settings,
        windows: callingWindowsOf(data.settings),
        // A full replacement: numbers kept by E.164 keep their progress, with the next step the update re-planned; the rest start afresh.
        numbers: ImmutableMap<string, NumberProgress>().withMutations((numbers) => {
          for (const entry of data.numbers) {
            const kept = campaign.numbers.get(entry.e164);
            numbers.set(entry.e164, kept ? { ...kept, entry, next: replanned.get(entry.e164) ?? kept.next } : fresh(entry, data.settings));
          }
        }),
      };
    }),
  InvalidPhoneNumbersIgnored: (state) => state,
  SmsRequested: (state) => state,
  StageReached: (state) => state,
  CampaignPaused: (state) => onCampaign(state, (c) => ({ ...c, status: "paused" })),
  CampaignResumed: (state) => onCampaign(state, (c) => ({ ...c, status: "active" })),
  CampaignDeleted: (state) => onCampaign(state, (c) => ({ ...c, status: "deleted" })),
  AttemptOutcomeRecorded: (state, data) =>
    onCampaign(state, (campaign) =>
      updateNumber(campaign, data.e164, (progress) => ({
        ...progress,
        last: { attemptNumber: data.attemptNumber, outcome: data.outcome, occurredAt: data.occurredAt },
        next: data.next,
      })),
    ),
  NumberOptedOut: (state, data) =>
    onCampaign(state, (campaign) =>
      updateNumber(campaign, data.e164, (progress) => ({ ...progress, next: { status: "completed", result: "opted_out" }, optedOutOn: data.attemptNumber })),
    ),
};

export const evolveCampaign = (state: CampaignState, event: CampaignEvent): CampaignState =>
  (transitions[event.type] as (state: CampaignState, data: unknown) => CampaignState)(state, event.data);

/**
 * Folds a run of events (a replay, or a cache catching up). The number map is
 * made transient for the run, so each event updates it in place instead of
 * copying a path of the persistent tree; `state` itself is never changed.
 * Events may be stored ones of an older shape: they are upcast here.
 */
export const replayCampaign = (state: CampaignState, events: Iterable<CampaignEventAsRead>): CampaignState => {
  let current: CampaignState = state.status === "absent" ? state : { ...state, numbers: state.numbers.asMutable() };
  for (const stored of events) {
    // Where stored events are read: an update written before it carried its re-plan is upcast on the state before it.
    const event = isLegacyCampaignUpdated(stored) ? upcastCampaignUpdated(current, stored) : stored;
    current = evolveCampaign(current, event);
    if (event.type === "CampaignCreated" || event.type === "CampaignUpdated") {
      if (current.status !== "absent") current = { ...current, numbers: current.numbers.asMutable() };
    }
  }
  return current.status === "absent" ? current : { ...current, numbers: current.numbers.asImmutable() };
};
