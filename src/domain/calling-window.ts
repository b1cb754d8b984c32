import { DateTime, IANAZone } from "luxon";

/**
 * A calling window is one day's [start, finish) in the campaign's time zone:
 * the start day and each runover day. Times are wall-clock, so the instants
 * move with daylight saving; luxon does the zone arithmetic.
 */
export type DayWindow = {
  readonly date: string;
  readonly startTime: string;
  readonly finishTime: string;
};
export type CallingWindow = {
  readonly date: string;
  readonly opensAt: number;
  readonly closesAt: number;
};

const DAY_MS = 86_400_000;

/**
 * The first instant at which the zone's clocks read `date time` or later, so
 * that a window never runs past its wall-clock finish. A time the clocks skip
 * (spring forward) is the moment they jump over it; a time they show twice
 * (fall back) is its first showing. luxon alone resolves both the other way:
 * a skipped time moved on by the gap, a repeated one to its second showing.
 */
const instant = (date: string, time: string, timeZone: string): number => {
  const resolved = DateTime.fromISO(`${date}T${time}`, { zone: timeZone });
  if (wallClockExists(date, time, timeZone))
    return Math.min(...resolved.getPossibleOffsets().map((dt) => dt.toMillis()));
  // Skipped: the clocks went forward less than one gap before `resolved`. Find that moment.
  const { zone, offset: after } = resolved;
  let at = resolved.toMillis();
  let before = at - (after - zone.offset(at - DAY_MS)) * 60_000;
  while (at - before > 1) {
    const mid = Math.floor((before + at) / 2);
    if (zone.offset(mid) === after) at = mid;
    else before = mid;
  }
  return at;
};

export const callingWindows = (days: readonly DayWindow[], timeZone: string): CallingWindow[] =>
  days
    .map((day) => ({
      date: day.date,
      opensAt: instant(day.date, day.startTime, timeZone),
      closesAt: instant(day.date, day.finishTime, timeZone),
    }))
    .sort((a, b) => a.opensAt - b.opensAt);

/**
 * The first moment at or after `earliest` that lies inside a window, or
 * undefined when every window has closed by then. A window the clocks skip
 * entirely (it lies in a spring-forward gap) is empty and never open.
 */
export const nextCallingTime = (
  windows: readonly CallingWindow[],
  earliest: number,
): number | undefined => {
  for (const window of windows) {
    if (window.closesAt <= window.opensAt) continue;
    if (earliest < window.opensAt) return window.opensAt;
    if (earliest < window.closesAt) return earliest;
  }
  return undefined;
};

/** An IANA zone name. luxon alone also takes "local"/"system" (the host's zone) and "UTC+3", which would make decisions depend on the machine. */
export const isValidTimeZone = (timeZone: string): boolean => IANAZone.isValidZone(timeZone);

/** Whether a wall-clock date and time exists in the zone (not skipped by a DST jump). */
export const wallClockExists = (date: string, time: string, timeZone: string): boolean => {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: timeZone });
  return dt.isValid && dt.toFormat("yyyy-MM-dd'T'HH:mm") === `${date}T${time}`;
};
