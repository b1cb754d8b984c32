import { Map as ImmutableMap } from "immutable";
import type { CampaignEvent, CampaignEventOf, CampaignEventType, NumberEntry } from "./events.js";
import type { CampaignSettings } from "./definition.js";
import { emptyExclusionList, withAdded, withRemoved } from "../exclusions/list.js";
import {
  type Campaign,
  type CampaignState,
  type NumberProgress,
  type ZoneWindows,
  claimIdOf,
  firstAttempt,
} from "./state.js";
import { buildQueue, enqueueAll, requeue, withZonesOf, zoneWindows } from "./queue.js";
import {
  type LegacyCampaignUpdated,
  isLegacyCampaignUpdated,
  upcastCampaignUpdated,
} from "./replan.js";

/** A decoded event as read from the store: the current shapes, or an older one that replay upcasts. */
export type CampaignEventAsRead = CampaignEvent | LegacyCampaignUpdated;

const fresh = (entry: NumberEntry, settings: CampaignSettings): NumberProgress => ({
  entry,
  next: firstAttempt(settings),
});

/** Events only ever follow a CampaignCreated; anything else on an absent campaign is ignored. */
const onCampaign = (
  state: CampaignState,
  change: (campaign: Campaign) => Campaign,
): CampaignState => (state.status === "absent" ? state : change(state));

/** Changes one number, and moves it in the dial queue when its next callable moment changed. */
const updateNumber = (
  campaign: Campaign,
  e164: string,
  change: (progress: NumberProgress) => NumberProgress,
): Campaign => {
  const progress = campaign.numbers.get(e164);
  if (!progress) return campaign;
  const changed = change(progress);
  const numbers = campaign.numbers.set(e164, changed);
  // A transient map (during replay) is changed in place: no new campaign object needed.
  return requeue(
    numbers === campaign.numbers ? campaign : { ...campaign, numbers },
    progress,
    changed,
  );
};

const updateNumbers = (
  campaign: Campaign,
  e164s: readonly string[],
  change: (progress: NumberProgress) => NumberProgress,
): Campaign => e164s.reduce((current, e164) => updateNumber(current, e164, change), campaign);

const unclaimed = ({ claimedUntil: _claim, ...progress }: NumberProgress): NumberProgress =>
  progress;

const campaignZone = (settings: CampaignSettings): ReadonlyMap<string, ZoneWindows> =>
  new Map([[settings.timeZone, zoneWindows(settings, settings.timeZone)]]);

type Transitions = {
  [Type in CampaignEventType]: (
    state: CampaignState,
    data: CampaignEventOf<Type>["data"],
  ) => CampaignState;
};

/**
 * One state transition per event type (evolveCampaign dispatches; "evolver"
 * names the read-model evolvers of src/projections). A mapped type rather than ts-pattern here:
 * it is just as exhaustive (a new event type is a compile error until it has
 * an entry) and a single lookup, which replay at over 1M events/s needs.
 */
const transitions: Transitions = {
  CampaignCreated: (_state, data) => {
    const zones = campaignZone(data.settings);
    return {
      status: "active",
      campaignId: data.campaignId,
      clientId: data.clientId,
      settings: data.settings,
      windows: zones.get(data.settings.timeZone)!.windows,
      numbers: ImmutableMap<string, NumberProgress>(),
      zones,
      queue: new Map(),
      exclusions: emptyExclusionList(),
      clientExclusionsVersion: 0,
      claimBatches: 0,
    };
  },
  PhoneNumbersAdded: (state, data) =>
    onCampaign(state, (campaign) => {
      const added: NumberProgress[] = [];
      const numbers = campaign.numbers.withMutations((numbers) => {
        for (const entry of data.numbers) {
          const progress = fresh(entry, campaign.settings);
          numbers.set(entry.e164, progress);
          added.push(progress);
        }
      });
      const withNumbers: Campaign = {
        ...campaign,
        numbers,
        zones: withZonesOf(campaign.zones, campaign.settings, data.numbers),
      };
      return enqueueAll(withNumbers, added);
    }),
  CampaignUpdated: (state, data) =>
    onCampaign(state, (campaign) => {
      const zones = withZonesOf(campaignZone(data.settings), data.settings, data.numbers);
      const windows = zones.get(data.settings.timeZone)!.windows;
      const replanned = { ...campaign, settings: data.settings, windows, zones };
      // A full replacement: numbers kept by E.164 keep their progress (and a claim on an attempt
      // still to make), with the next step the update re-planned; the rest start afresh.
      const replannedNext = new Map(data.replanned.map(({ e164, next }) => [e164, next]));
      const numbers = ImmutableMap<string, NumberProgress>().withMutations((numbers) => {
        for (const entry of data.numbers) {
          const kept = campaign.numbers.get(entry.e164);
          if (!kept) {
            numbers.set(entry.e164, fresh(entry, data.settings));
            continue;
          }
          const next = replannedNext.get(entry.e164) ?? kept.next;
          const progress = { ...kept, entry, next };
          numbers.set(entry.e164, next.status === "completed" ? unclaimed(progress) : progress);
        }
      });
      const updated = { ...replanned, numbers };
      return { ...updated, queue: campaign.queue === undefined ? undefined : buildQueue(updated) };
    }),
  InvalidPhoneNumbersIgnored: (state) => state,
  ExcludedPhoneNumbersSkipped: (state) => state,
  SmsRequested: (state) => state,
  StageReached: (state) => state,
  CampaignPaused: (state) => onCampaign(state, (c) => ({ ...c, status: "paused" })),
  CampaignResumed: (state) => onCampaign(state, (c) => ({ ...c, status: "active" })),
  CampaignDeleted: (state) => onCampaign(state, (c) => ({ ...c, status: "deleted" })),
  AttemptOutcomeRecorded: (state, data) =>
    onCampaign(state, (campaign) =>
      // An outcome ends the attempt's claim, whoever held it.
      updateNumber(campaign, data.e164, (progress) =>
        unclaimed({
          ...progress,
          last: {
            attemptNumber: data.attemptNumber,
            outcome: data.outcome,
            occurredAt: data.occurredAt,
          },
          next: data.next,
        }),
      ),
    ),
  // A number completed while its attempt is claimed keeps the claim until it ends: the call under
  // way still ends with an outcome, recorded as made under a claim held (record-attempt-outcome).
  NumberOptedOut: (state, data) =>
    onCampaign(state, (campaign) =>
      updateNumber(campaign, data.e164, (progress) => ({
        ...progress,
        next: { status: "completed", result: "opted_out" },
        optedOutOn: data.attemptNumber,
      })),
    ),
  ExclusionsAdded: (state, data) =>
    onCampaign(state, (campaign) => ({
      ...campaign,
      exclusions: withAdded(campaign.exclusions, data),
    })),
  ExclusionsRemoved: (state, data) =>
    onCampaign(state, (campaign) => ({
      ...campaign,
      exclusions: withRemoved(campaign.exclusions, data.numbers),
    })),
  NumbersExcluded: (state, data) =>
    onCampaign(state, (campaign) =>
      updateNumbers(campaign, data.numbers, (progress) => ({
        ...progress,
        next: { status: "completed", result: "excluded" },
      })),
    ),
  ClientExclusionsApplied: (state, data) =>
    onCampaign(state, (campaign) => ({ ...campaign, clientExclusionsVersion: data.version })),
  AttemptsClaimed: (state, data) =>
    onCampaign(state, (campaign) => {
      const until = Date.parse(data.claimedUntil);
      const batch = campaign.claimBatches + 1;
      return data.claims.reduce(
        (current, claim, index) =>
          updateNumber(current, claim.e164, (progress) => ({
            ...progress,
            claimedUntil: until,
            claimId: claim.claimId ?? claimIdOf(batch, index),
          })),
        { ...campaign, claimBatches: batch },
      );
    }),
  ClaimsReleased: (state, data) =>
    onCampaign(state, (campaign) => updateNumbers(campaign, data.numbers, unclaimed)),
};

export const evolveCampaign = (state: CampaignState, event: CampaignEvent): CampaignState =>
  (transitions[event.type] as (state: CampaignState, data: unknown) => CampaignState)(
    state,
    event.data,
  );

/** Past this many events a replay rebuilds the dial queue once at its end instead of moving each number in it. */
const REBUILD_QUEUE_AFTER = 256;

/**
 * Folds a run of events (a replay, or a cache catching up). The number map is
 * made transient for the run, so each event updates it in place instead of
 * copying a path of the persistent tree; `state` itself is never changed.
 * A long run leaves the dial queue aside and builds it once at the end.
 * Events may be stored ones of an older shape: they are upcast here.
 */
export const replayCampaign = (
  state: CampaignState,
  events: Iterable<CampaignEventAsRead>,
): CampaignState => {
  const run = Array.isArray(events) ? (events as readonly CampaignEventAsRead[]) : [...events];
  const rebuild = run.length > REBUILD_QUEUE_AFTER;
  const transient = (s: CampaignState): CampaignState =>
    s.status === "absent"
      ? s
      : { ...s, numbers: s.numbers.asMutable(), ...(rebuild ? { queue: undefined } : {}) };
  let current: CampaignState = transient(state);
  for (const stored of run) {
    // Where stored events are read: an update written before it carried its re-plan is upcast on
    // the state before it.
    const event = isLegacyCampaignUpdated(stored) ? upcastCampaignUpdated(current, stored) : stored;
    current = evolveCampaign(current, event);
    if (event.type === "CampaignCreated" || event.type === "CampaignUpdated")
      current = transient(current);
  }
  if (current.status === "absent") return current;
  const settled = { ...current, numbers: current.numbers.asImmutable() };
  return settled.queue === undefined ? { ...settled, queue: buildQueue(settled) } : settled;
};
