import { DateTime, IANAZone } from "luxon";

/**
 * A calling window is one day's [start, finish) in the campaign's time zone:
 * the start day and each runover day. Times are wall-clock, so the instants
 * move with daylight saving; luxon gives the zone's offsets.
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

const HOUR_MS = 3_600_000;
/** Offsets run from UTC-12 to UTC+14: a wall-clock time is at most this far from its instants. */
const EARLIEST_OFFSET_MS = 14 * HOUR_MS;
const LATEST_OFFSET_MS = 12 * HOUR_MS;
/** Offset changes are never closer together than this, so sampling this often finds each one. */
const SAMPLE_MS = 6 * HOUR_MS;

/** A wall-clock date and time read as if it were UTC: the instant it names at offset zero. */
const wallMs = (date: string, time: string): number => Date.parse(`${date}T${time}:00Z`);

/** Spans of one offset (minutes) covering [from, to): where the zone's clocks change, a new span. */
const offsetSpans = (zone: IANAZone, from: number, to: number) => {
  const spans: { from: number; to: number; offset: number }[] = [];
  let spanFrom = from;
  let offset = zone.offset(from);
  for (let at = from; at < to;) {
    const next = Math.min(at + SAMPLE_MS, to);
    const nextOffset = zone.offset(next);
    if (nextOffset !== offset) {
      // The change lies in (at, next]: find its first millisecond.
      let before = at;
      let after = next;
      while (after - before > 1) {
        const mid = Math.floor((before + after) / 2);
        if (zone.offset(mid) === offset) before = mid;
        else after = mid;
      }
      spans.push({ from: spanFrom, to: after, offset });
      spanFrom = after;
      offset = zone.offset(after);
    }
    at = next;
  }
  spans.push({ from: spanFrom, to, offset });
  return spans;
};

/**
 * One day's window as the instants at which the zone's clocks read a time in
 * [start, finish) on that date: wall-clock, whatever the clocks do. Where they
 * fall back, a repeated time shows twice and both showings are inside (the
 * window may then be two spans); where they go forward, a skipped time shows
 * never (a window wholly inside the gap is no span at all). For each span of
 * one offset around the day, the window read at that offset, kept where that
 * offset is the zone's: luxon gives the offsets, nothing here does zone
 * arithmetic of its own.
 */
const dayWindows = (day: DayWindow, zone: IANAZone): CallingWindow[] => {
  const start = wallMs(day.date, day.startTime);
  const finish = wallMs(day.date, day.finishTime);
  const spans = offsetSpans(zone, start - EARLIEST_OFFSET_MS, finish + LATEST_OFFSET_MS);
  const windows: CallingWindow[] = [];
  for (const span of spans) {
    const opensAt = Math.max(start - span.offset * 60_000, span.from);
    const closesAt = Math.min(finish - span.offset * 60_000, span.to);
    if (opensAt >= closesAt) continue;
    const last = windows.at(-1);
    // Spans that meet (an offset change inside the window that moves no wall-clock time in or
    // out of it) are one window.
    if (last !== undefined && last.closesAt === opensAt)
      windows[windows.length - 1] = { ...last, closesAt };
    else windows.push({ date: day.date, opensAt, closesAt });
  }
  return windows;
};

/** The days' windows in time order; a day may give two (a repeated hour) or none (a skipped one). */
export const callingWindows = (days: readonly DayWindow[], timeZone: string): CallingWindow[] => {
  const zone = IANAZone.create(timeZone);
  return days.flatMap((day) => dayWindows(day, zone)).sort((a, b) => a.opensAt - b.opensAt);
};

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
