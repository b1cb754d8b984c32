/**
 * Campaign timeline: what happened hour by hour on the campaign's local clock
 * (its `timeZone`), by the events' own times (`occurredAt`), not by when they
 * were recorded. An hour bucket is a local clock hour: on the day the clocks
 * go forward the day has 23 of them, on the day they go back 25 (the repeated
 * hour is two buckets, one per offset). Day buckets are summed from the hours
 * of each local date when read (`timelineView`).
 *
 * An event is bucketed on the zone the campaign had when the event was
 * applied: a later change of `timeZone` moves only later events.
 *
 * Stored paged by local month (a month of hours stays well under a KV value
 * even with every outcome and stage in every hour), so the model tracks the
 * months changed since the last write (`dirtyMonths`).
 */
import { Map as ImmutableMap, Set as ImmutableSet } from "immutable";
import { DateTime } from "luxon";
import { match } from "ts-pattern";
import type {
  CampaignTimeline,
  TimelineBucket,
  TimelineBucketSize,
} from "../../contract/reporting.js";
import {
  type CampaignLogEvent,
  dialListTypes,
  evolvePositioned,
  eventsOf,
  unhandled,
} from "./event.js";

/** A local clock hour: the published bucket plus the local date it belongs to. */
export type HourBucket = TimelineBucket & { readonly day: string };

export type TimelineModel = {
  readonly id: string;
  readonly timeZone: string;
  readonly position: string;
  /** Local month (`yyyy-MM`) -> the hour's start in epoch ms -> its counts. */
  readonly months: ImmutableMap<string, ImmutableMap<number, HourBucket>>;
  readonly dirtyMonths: ImmutableSet<string>;
};

/** What is stored under `<client>.<campaignId>`: the months present, each stored under `<client>.<campaignId>.<month>`. */
export type TimelineHead = {
  readonly id: string;
  readonly timeZone: string;
  readonly position: string;
  readonly months: readonly string[];
};
export type TimelineMonthPage = readonly HourBucket[];

const ISO = { suppressMilliseconds: true } as const;

type LocalHour = { readonly startMs: number; readonly start: string; readonly day: string };

/** The local hour `occurredAt` falls in: its start instant, written with the offset in force then. */
const localHourOf = (occurredAt: string, timeZone: string): LocalHour => {
  const parsed = DateTime.fromISO(occurredAt, { zone: timeZone });
  const local = parsed.isValid ? parsed : DateTime.fromISO(occurredAt, { zone: "UTC" });
  // Back by the minutes and seconds past the hour in absolute time: in the repeated hour of a
  // change back, startOf("hour") would pick the first of the two offsets.
  const start = local.minus({
    minutes: local.minute,
    seconds: local.second,
    milliseconds: local.millisecond,
  });
  return {
    startMs: start.toMillis(),
    start: start.toISO(ISO) ?? occurredAt,
    day: start.toISODate() ?? occurredAt.slice(0, 10),
  };
};

/**
 * Zone arithmetic (Intl, through luxon) costs far more than the rest of an
 * event, and a campaign's events crowd into few hours: memoised per zone and
 * UTC quarter hour (every zone's offset, and every change of it, falls on a
 * quarter hour, so all instants of one share their local hour). The answer
 * depends on its arguments only; the memo is bounded.
 */
const QUARTER_HOUR_MS = 900_000;
const MEMO_LIMIT = 10_000;
const memo = new Map<string, LocalHour>();
const hourOf = (occurredAt: string, timeZone: string): LocalHour => {
  const ms = Date.parse(occurredAt);
  if (Number.isNaN(ms)) return localHourOf(occurredAt, timeZone);
  const key = `${timeZone}|${Math.floor(ms / QUARTER_HOUR_MS)}`;
  let hour = memo.get(key);
  if (hour === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    hour = localHourOf(occurredAt, timeZone);
    memo.set(key, hour);
  }
  return hour;
};

const emptyHour = (start: string, day: string): HourBucket => ({
  start,
  day,
  attempts: 0,
  outcomes: {},
  stages: {},
  contacted: 0,
  smsRequested: 0,
});

const plus = (
  counts: Readonly<Record<string, number>>,
  name: string,
  by = 1,
): Record<string, number> => ({ ...counts, [name]: (counts[name] ?? 0) + by });

/** The model with the hour of `occurredAt` changed. */
const countAt = (
  model: TimelineModel,
  occurredAt: string,
  change: (hour: HourBucket) => HourBucket,
): TimelineModel => {
  const { startMs, start, day } = hourOf(occurredAt, model.timeZone);
  const month = day.slice(0, 7);
  const hours = model.months.get(month) ?? ImmutableMap<number, HourBucket>();
  const hour = change(hours.get(startMs) ?? emptyHour(start, day));
  return {
    ...model,
    months: model.months.set(month, hours.set(startMs, hour)),
    dirtyMonths: model.dirtyMonths.add(month),
  };
};

const created = (id: string, timeZone: string, position: string): TimelineModel => ({
  id,
  timeZone,
  position,
  months: ImmutableMap(),
  dirtyMonths: ImmutableSet(),
});

const isDialList = eventsOf(dialListTypes);

/**
 * Applies one of the campaign's events. Undefined before creation and after
 * deletion; an event at or before the model's position changes nothing.
 */
export const evolveTimeline = (
  model: TimelineModel | undefined,
  event: CampaignLogEvent,
): TimelineModel | undefined =>
  evolvePositioned(model, event, (on, position) => {
    // A switch, not a pattern match: this runs for every event of the log.
    switch (event.type) {
      case "AttemptOutcomeRecorded": {
        const { data } = event;
        return on((current) =>
          countAt(current, data.occurredAt, (hour) => ({
            ...hour,
            attempts: hour.attempts + 1,
            outcomes: plus(hour.outcomes, data.outcomeName),
            contacted:
              hour.contacted +
              (data.next.status === "completed" && data.next.result === "contacted" ? 1 : 0),
          })),
        );
      }
      case "StageReached": {
        const { data } = event;
        return on((current) =>
          countAt(current, data.occurredAt, (hour) => ({
            ...hour,
            stages: plus(hour.stages, data.stageName),
          })),
        );
      }
      case "SmsRequested": {
        const { data } = event;
        return on((current) =>
          countAt(current, data.occurredAt, (hour) => ({
            ...hour,
            smsRequested: hour.smsRequested + 1,
          })),
        );
      }
      case "PhoneNumbersAdded":
      case "CampaignPaused":
      case "CampaignResumed":
        return on();
      case "CampaignCreated":
        return created(event.data.campaignId, event.data.settings.timeZone, position);
      case "CampaignUpdated": {
        const { timeZone } = event.data.settings;
        return on((current) => ({ ...current, timeZone }));
      }
      case "CampaignDeleted":
        return undefined;
      default:
        return isDialList(event) ? on() : unhandled(event);
    }
  });

/** The model once its dirty months are written. */
export const settleTimeline = (model: TimelineModel): TimelineModel =>
  model.dirtyMonths.size === 0 ? model : { ...model, dirtyMonths: ImmutableSet<string>() };

export const timelineHead = (model: TimelineModel): TimelineHead => ({
  id: model.id,
  timeZone: model.timeZone,
  position: model.position,
  months: [...model.months.keys()].sort(),
});

/** One month's hours, in time order. */
export const timelineMonthPage = (model: TimelineModel, month: string): TimelineMonthPage =>
  [...(model.months.get(month) ?? ImmutableMap<number, HourBucket>()).entries()]
    .sort(([a], [b]) => a - b)
    .map(([, hour]) => hour);

/** The months a range of instants can touch (a month either side, for zones far from UTC). */
export const monthsBetween = (
  months: readonly string[],
  from: string | undefined,
  to: string | undefined,
): string[] =>
  months.filter(
    (month) =>
      (from === undefined || month >= shiftMonth(from.slice(0, 7), -1)) &&
      (to === undefined || month <= shiftMonth(to.slice(0, 7), 1)),
  );

const shiftMonth = (month: string, by: number): string =>
  DateTime.fromISO(`${month}-01`, { zone: "UTC" }).plus({ months: by }).toFormat("yyyy-MM");

const sumInto = (total: TimelineBucket, hour: TimelineBucket): TimelineBucket => ({
  start: total.start,
  attempts: total.attempts + hour.attempts,
  outcomes: Object.entries(hour.outcomes).reduce(
    (counts, [name, n]) => plus(counts, name, n),
    total.outcomes,
  ),
  stages: Object.entries(hour.stages).reduce(
    (counts, [name, n]) => plus(counts, name, n),
    total.stages,
  ),
  contacted: total.contacted + hour.contacted,
  smsRequested: total.smsRequested + hour.smsRequested,
});

/** Local midnight of `day` in `timeZone` (the first moment the clocks read that date). */
const dayStart = (day: string, timeZone: string): string =>
  DateTime.fromISO(day, { zone: timeZone }).startOf("day").toISO(ISO) ?? day;

const withoutDay = ({ day: _day, ...bucket }: HourBucket): TimelineBucket => bucket;

/**
 * The published timeline from stored hours (in time order): hour buckets as
 * they are, or summed per local date; only buckets whose start is in
 * [`from`, `to`) (instants).
 */
export const timelineView = (
  head: TimelineHead,
  hours: readonly HourBucket[],
  bucket: TimelineBucketSize,
  from?: string,
  to?: string,
): CampaignTimeline => {
  const inRange = (start: string) => {
    const ms = Date.parse(start);
    return (
      (from === undefined || ms >= Date.parse(from)) && (to === undefined || ms < Date.parse(to))
    );
  };
  const buckets = match(bucket)
    .with("hour", () => hours.map(withoutDay))
    .with("day", () => {
      const days = new Map<string, TimelineBucket>();
      for (const hour of hours)
        days.set(
          hour.day,
          sumInto(
            days.get(hour.day) ?? {
              ...withoutDay(emptyHour(dayStart(hour.day, head.timeZone), hour.day)),
            },
            hour,
          ),
        );
      return [...days.values()];
    })
    .exhaustive();
  return {
    id: head.id,
    timeZone: head.timeZone,
    bucket,
    buckets: buckets.filter((b) => inRange(b.start)),
  };
};
