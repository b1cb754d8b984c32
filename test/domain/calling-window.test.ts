import { describe, expect, it } from "vitest";
import {
  type DayWindow,
  callingWindows,
  isValidTimeZone,
  nextCallingTime,
} from "../../src/domain/index.js";

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const windowsIn = (timeZone: string, ...days: DayWindow[]) =>
  callingWindows(days, timeZone).map((w) => [w.date, iso(w.opensAt), iso(w.closesAt)]);
const day = (date: string, startTime: string, finishTime: string): DayWindow => ({
  date,
  startTime,
  finishTime,
});

// Europe/London: BST from 2030-03-31 01:00 GMT (clocks 01:00 -> 02:00), GMT from 2030-10-27 01:00
// GMT (clocks 02:00 -> 01:00).
describe("calling windows", () => {
  it("are wall-clock times: 09:00 is 09:00Z in winter and 08:00Z in summer", () => {
    expect(
      windowsIn(
        "Europe/London",
        day("2030-03-30", "09:00", "17:00"),
        day("2030-03-31", "09:00", "17:00"),
        day("2030-10-28", "09:00", "17:00"),
      ),
    ).toEqual([
      ["2030-03-30", "2030-03-30T09:00:00.000Z", "2030-03-30T17:00:00.000Z"],
      ["2030-03-31", "2030-03-31T08:00:00.000Z", "2030-03-31T16:00:00.000Z"],
      ["2030-10-28", "2030-10-28T09:00:00.000Z", "2030-10-28T17:00:00.000Z"],
    ]);
  });

  it("are in the campaign's own zone", () => {
    expect(windowsIn("America/New_York", day("2030-07-01", "09:00", "17:00"))).toEqual([
      ["2030-07-01", "2030-07-01T13:00:00.000Z", "2030-07-01T21:00:00.000Z"],
    ]);
  });

  it("come in time order, whatever order the days were given in", () => {
    expect(
      windowsIn(
        "Europe/London",
        day("2030-10-03", "09:00", "12:00"),
        day("2030-10-02", "14:00", "16:00"),
      ).map(([date]) => date),
    ).toEqual(["2030-10-02", "2030-10-03"]);
  });

  /** A case: the zone, the day's date, start and finish on its wall clock, and the window's opening and closing (UTC). */
  const expectWindow = (
    _: string,
    zone: string,
    date: string,
    start: string,
    finish: string,
    opensAt: string,
    closesAt: string,
  ) => expect(windowsIn(zone, day(date, start, finish))).toEqual([[date, opensAt, closesAt]]);

  describe("on the spring-forward day (01:00-02:00 does not exist)", () => {
    it.each([
      // 01:30 never shows; at 01:00Z the clocks read 02:00 BST, already past the start.
      [
        "open at the moment the clocks jump when the start time is skipped",
        "Europe/London",
        "2030-03-31",
        "01:30",
        "03:00",
        "2030-03-31T01:00:00.000Z",
        "2030-03-31T02:00:00.000Z",
      ],
      [
        "close at the moment the clocks jump when the finish time is skipped, never after the finish on the wall clock",
        "Europe/London",
        "2030-03-31",
        "00:30",
        "01:30",
        "2030-03-31T00:30:00.000Z",
        "2030-03-31T01:00:00.000Z",
      ],
      [
        "works in other zones' gaps too (New York skips 02:00-03:00 on 2030-03-10)",
        "America/New_York",
        "2030-03-10",
        "02:30",
        "04:00",
        "2030-03-10T07:00:00.000Z",
        "2030-03-10T08:00:00.000Z",
      ],
    ])("%s", expectWindow);
  });

  describe("on the fall-back day (01:00-02:00 shows twice)", () => {
    /** The window's spans (UTC) on one day: a repeated hour may make two. */
    const spans = (zone: string, date: string, start: string, finish: string) =>
      windowsIn(zone, day(date, start, finish)).map(([, opensAt, closesAt]) => [opensAt, closesAt]);

    it("holds both showings of a repeated hour the window covers (01:15-01:45 is open twice)", () => {
      expect(spans("Europe/London", "2030-10-27", "01:15", "01:45")).toEqual([
        ["2030-10-27T00:15:00.000Z", "2030-10-27T00:45:00.000Z"], // 01:15-01:45 BST
        ["2030-10-27T01:15:00.000Z", "2030-10-27T01:45:00.000Z"], // 01:15-01:45 GMT
      ]);
    });

    it("is one span when it covers the whole repeated hour", () => {
      expect(spans("Europe/London", "2030-10-27", "00:30", "03:00")).toEqual([
        ["2030-10-26T23:30:00.000Z", "2030-10-27T03:00:00.000Z"],
      ]);
    });

    it.each([
      // The clocks read 01:00-01:30 GMT after the change: before the start, so outside.
      [
        "a repeated start time: open at both showings of 01:30 until the finish",
        "01:30",
        "03:00",
        [
          ["2030-10-27T00:30:00.000Z", "2030-10-27T01:00:00.000Z"],
          ["2030-10-27T01:30:00.000Z", "2030-10-27T03:00:00.000Z"],
        ],
      ],
      // 01:30-02:00 BST is past the finish; then the clocks read 01:00-01:30 again, inside.
      [
        "a repeated finish time: closed at the first showing of 01:30, open again from 01:00 GMT",
        "00:30",
        "01:30",
        [
          ["2030-10-26T23:30:00.000Z", "2030-10-27T00:30:00.000Z"],
          ["2030-10-27T01:00:00.000Z", "2030-10-27T01:30:00.000Z"],
        ],
      ],
    ])("%s", (_, start, finish, expected) => {
      expect(spans("Europe/London", "2030-10-27", start, finish)).toEqual(expected);
    });

    it("works for a half-hour change too (Lord Howe repeats 01:30-02:00 on 2030-04-07)", () => {
      // 02:00 +11:00 -> 01:30 +10:30 at 2030-04-06T15:00Z.
      expect(spans("Australia/Lord_Howe", "2030-04-07", "01:40", "01:50")).toEqual([
        ["2030-04-06T14:40:00.000Z", "2030-04-06T14:50:00.000Z"],
        ["2030-04-06T15:10:00.000Z", "2030-04-06T15:20:00.000Z"],
      ]);
    });
  });

  it("a window wholly inside a skipped hour is no window at all", () => {
    expect(windowsIn("Europe/London", day("2030-03-31", "01:10", "01:50"))).toEqual([]);
  });
});

describe("the next calling time", () => {
  const windows = callingWindows(
    [day("2030-06-03", "09:00", "12:00"), day("2030-06-04", "14:00", "16:00")],
    "Europe/London",
  );

  it("is the window's opening before it, the moment itself inside it, the next window's opening after it, none after the last", () => {
    expect(iso(nextCallingTime(windows, utc("2030-06-03T06:00:00Z")))).toBe(
      "2030-06-03T08:00:00.000Z",
    );
    expect(iso(nextCallingTime(windows, utc("2030-06-03T09:30:00Z")))).toBe(
      "2030-06-03T09:30:00.000Z",
    );
    expect(iso(nextCallingTime(windows, utc("2030-06-03T11:00:00Z")))).toBe(
      "2030-06-04T13:00:00.000Z",
    ); // the finish is exclusive
    expect(nextCallingTime(windows, utc("2030-06-04T15:00:00Z"))).toBeUndefined();
  });

  it("skips a window the clocks jump over entirely", () => {
    const skipped = callingWindows(
      [day("2030-03-31", "01:10", "01:50"), day("2030-04-01", "09:00", "12:00")],
      "Europe/London",
    );
    expect(iso(nextCallingTime(skipped, utc("2030-03-31T00:00:00Z")))).toBe(
      "2030-04-01T08:00:00.000Z",
    );
  });
});

describe("time zones", () => {
  it("are IANA names; not the host's zone nor a bare offset", () => {
    expect(
      ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"].map(isValidTimeZone),
    ).toEqual([true, true, true, true]);
    expect(["Mars/Olympus", "local", "system", "UTC+3", ""].map(isValidTimeZone)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
