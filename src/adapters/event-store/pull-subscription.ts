/**
 * The memory and sqlite adapters' subscriptions: a pull-based view of the
 * global log, woken by their appends, filtered by stream prefix.
 */
import type { Position, RecordedEvent, Subscription } from "../../ports/event-store.js";

export const matchesPrefix = (streamId: string, prefixes: readonly string[] | undefined): boolean =>
  prefixes === undefined || prefixes.some((p) => streamId.startsWith(p));

/** Wakes sleeping subscriptions when the store has appended something. */
export class AppendSignal {
  private readonly sleepers = new Set<() => void>();
  notify(): void {
    const woken = [...this.sleepers];
    this.sleepers.clear();
    for (const wake of woken) wake();
  }
  on(wake: () => void): void {
    this.sleepers.add(wake);
  }
  off(wake: () => void): void {
    this.sleepers.delete(wake);
  }
}

/**
 * One page of the global log after a cursor, and the cursor to continue from.
 * A page may be empty yet move the cursor (everything it scanned was filtered out).
 */
export type Page = { events: RecordedEvent[]; next: Position };

export type PullSubscriptionOptions = {
  from: Position;
  /** Synchronous, so no append can slip in between an empty page and going to sleep. */
  fetchPage: (after: Position) => Page;
  signal: AppendSignal;
  /** Also look again this often, for writers the signal cannot see (another process). */
  pollIntervalMs?: number;
  onClose?: () => void;
};

/**
 * Reads a page only when the consumer has drained the previous one, so a slow
 * consumer holds at most one page in memory and delivery can neither skip nor
 * repeat: the cursor only moves past events that were handed out.
 */
export class PullSubscription implements Subscription, AsyncIterator<RecordedEvent> {
  private buffer: RecordedEvent[] = [];
  private index = 0;
  private cursor: Position;
  private closed = false;
  private wake: (() => void) | undefined;
  /** next() calls are served one after another, even when a caller does not await. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PullSubscriptionOptions) {
    this.cursor = options.from;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    const result = this.queue.then(() => this.pull());
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** `break` in a for-await loop lands here. */
  async return(): Promise<IteratorResult<RecordedEvent>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.wake?.();
    this.options.onClose?.();
  }

  private async pull(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const event = this.buffer[this.index];
      if (event !== undefined) {
        this.index += 1;
        return { done: false, value: event };
      }
      const before = this.cursor;
      const page = this.options.fetchPage(before);
      this.buffer = page.events;
      this.index = 0;
      this.cursor = page.next;
      if (page.events.length > 0) continue;
      // Nothing new: sleep. Only filtered-out events: look further, yielding the event loop between
      // pages.
      if (page.next === before) await this.sleep();
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const { signal, pollIntervalMs } = this.options;
      const done = (): void => {
        clearTimeout(timer);
        signal.off(done);
        this.wake = undefined;
        resolve();
      };
      const timer = pollIntervalMs === undefined ? undefined : setTimeout(done, pollIntervalMs);
      signal.on(done);
      this.wake = done;
    });
  }
}
