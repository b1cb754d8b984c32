import type { EventMetadata, Position, RecordedEvent } from "../../ports/event-store.js";
import { matchesPrefix, type Page } from "./pull-subscription.js";

/**
 * An event just committed to the file, as its appender had it: the JSON the
 * file holds, and (when this thread appended it) the values it was made
 * from, so a subscription needs neither the file nor a parse to see it.
 */
export type CommittedEvent = {
  readonly position: Position;
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: number;
  readonly decoded?: { readonly data: unknown; readonly metadata: EventMetadata };
};

export type RecentEventsLimits = { events: number; bytes: number };

/** Enough for a projection a few seconds behind under load; a subscription further back reads the file. */
export const RECENT_EVENTS_LIMITS: RecentEventsLimits = { events: 20_000, bytes: 16 * 1024 * 1024 };

/**
 * The newest events committed by this process, in position order, bounded
 * (oldest out). A live subscription is fed from here instead of reading back
 * what was just written: the events are the appended ones, so they are the
 * file's. It serves a page only while positions follow on one from the other:
 * a gap means another process wrote in between, and the file has that event.
 */
export class RecentEvents {
  private events: CommittedEvent[] = [];
  /** Index of the oldest kept event in `events` (the array is compacted now and then, not shifted per event). */
  private start = 0;
  private bytes = 0;

  constructor(private readonly limits: RecentEventsLimits = RECENT_EVENTS_LIMITS) {}

  add(committed: readonly CommittedEvent[]): void {
    for (const event of committed) {
      const last = this.events.at(-1);
      // Out of order cannot be served from here: start again from this event.
      if (last !== undefined && this.events.length > this.start && event.position <= last.position)
        this.clear();
      this.events.push(event);
      this.bytes += sizeOf(event);
    }
    while (
      this.events.length - this.start > this.limits.events ||
      (this.bytes > this.limits.bytes && this.events.length - this.start > 1)
    ) {
      this.bytes -= sizeOf(this.events[this.start]!);
      this.start += 1;
    }
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** Up to `limit` events after `after`, or undefined when the event right after it is not held here. */
  page(
    after: Position,
    limit: number,
    streamPrefixes: readonly string[] | undefined,
  ): Page | undefined {
    let index = this.indexOf(after + 1n);
    if (index === undefined) return undefined;
    const events: RecordedEvent[] = [];
    let next = after;
    for (let scanned = 0; index < this.events.length && scanned < limit; index++, scanned++) {
      const event = this.events[index]!;
      if (event.position !== next + 1n) break;
      next = event.position;
      if (matchesPrefix(event.streamId, streamPrefixes)) events.push(toRecorded(event));
    }
    return { events, next };
  }

  private clear(): void {
    this.events = [];
    this.start = 0;
    this.bytes = 0;
  }

  private indexOf(position: Position): number | undefined {
    let low = this.start;
    let high = this.events.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = this.events[middle]!.position;
      if (found === position) return middle;
      if (found < position) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }
}

const sizeOf = (event: CommittedEvent): number => event.data.length + event.metadata.length + 128;

const toRecorded = (event: CommittedEvent): RecordedEvent => ({
  streamId: event.streamId,
  revision: event.revision,
  position: event.position,
  type: event.type,
  data: event.decoded ? event.decoded.data : (JSON.parse(event.data) as unknown),
  metadata: event.decoded ? event.decoded.metadata : (JSON.parse(event.metadata) as EventMetadata),
  recordedAt: new Date(event.recordedAt),
  eventId: event.eventId,
});
