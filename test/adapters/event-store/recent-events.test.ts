import { describe, expect, it } from "vitest";
import {
  type CommittedEvent,
  RecentEvents,
} from "../../../src/adapters/event-store/recent-events.js";

const committed = (
  position: number,
  streamId = "campaign-1",
  data = `{"n":${position}}`,
): CommittedEvent => ({
  position: BigInt(position),
  streamId,
  revision: BigInt(position - 1),
  eventId: `e-${position}`,
  type: "T",
  data,
  metadata: "{}",
  recordedAt: 0,
});
const positions = (page: { events: { position: bigint }[] } | undefined) =>
  page?.events.map((e) => Number(e.position));

describe("recent events", () => {
  it("serves the events after a position when it holds the next one, parsing the JSON it was given", () => {
    const recent = new RecentEvents();
    recent.add([committed(1), committed(2), committed(3)]);
    const page = recent.page(1n, 10, undefined);
    expect(positions(page)).toEqual([2, 3]);
    expect(page?.events[0]?.data).toEqual({ n: 2 });
    expect(page?.next).toBe(3n);
  });

  it("does not serve a position it does not hold: the reader goes to the file", () => {
    const recent = new RecentEvents();
    recent.add([committed(5), committed(6)]);
    expect(recent.page(3n, 10, undefined)).toBeUndefined(); // 4 was written elsewhere or dropped
    expect(recent.page(6n, 10, undefined)).toBeUndefined(); // nothing newer here; the file may have some
  });

  it("stops at a gap in positions (another process wrote there) and resumes after it", () => {
    const recent = new RecentEvents();
    recent.add([committed(1), committed(2), committed(4), committed(5)]);
    expect(recent.page(0n, 10, undefined)).toEqual(expect.objectContaining({ next: 2n }));
    expect(recent.page(2n, 10, undefined)).toBeUndefined();
    expect(positions(recent.page(3n, 10, undefined))).toEqual([4, 5]);
  });

  it("hands out the values the appender gave instead of parsing, when it has them", () => {
    const recent = new RecentEvents();
    const data = { outcome: "answered" };
    recent.add([
      { ...committed(1, "campaign-1", JSON.stringify(data)), decoded: { data, metadata: {} } },
    ]);
    expect(recent.page(0n, 1, undefined)?.events[0]?.data).toBe(data);
  });

  it("filters by stream prefix while still moving the cursor past what it skipped", () => {
    const recent = new RecentEvents();
    recent.add([committed(1, "other-1"), committed(2, "campaign-1"), committed(3, "other-2")]);
    const page = recent.page(0n, 10, ["campaign-"]);
    expect(positions(page)).toEqual([2]);
    expect(page?.next).toBe(3n);
  });

  it("keeps at most its limits, oldest out", () => {
    const byCount = new RecentEvents({ events: 2, bytes: Infinity });
    byCount.add([committed(1), committed(2), committed(3)]);
    expect(byCount.page(0n, 10, undefined)).toBeUndefined();
    expect(positions(byCount.page(1n, 10, undefined))).toEqual([2, 3]);
    const byBytes = new RecentEvents({ events: 100, bytes: 2 * 140 });
    byBytes.add([
      committed(1, "campaign-1", JSON.stringify("x".repeat(8))),
      committed(2, "campaign-1", JSON.stringify("x".repeat(8))),
      committed(3, "campaign-1", JSON.stringify("x".repeat(8))),
    ]);
    expect(positions(byBytes.page(1n, 10, undefined))).toEqual([2, 3]);
  });

  it("keeps serving as events go through it for long (the kept window moves on)", () => {
    const recent = new RecentEvents({ events: 100, bytes: Infinity });
    for (let p = 1; p <= 10_000; p++) recent.add([committed(p)]);
    expect(recent.page(9_899n, 1000, undefined)).toBeUndefined();
    expect(positions(recent.page(9_900n, 1000, undefined))).toHaveLength(100);
  });

  it("starts again when handed positions out of order, rather than serving a wrong sequence", () => {
    const recent = new RecentEvents();
    recent.add([committed(5), committed(6)]);
    recent.add([committed(3)]);
    expect(recent.page(4n, 10, undefined)).toBeUndefined();
    expect(positions(recent.page(2n, 10, undefined))).toEqual([3]);
  });
});
