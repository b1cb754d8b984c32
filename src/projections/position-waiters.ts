import { setTimeout as sleep } from "node:timers/promises";
import type { Position } from "../ports/event-store.js";

type Waiter = { position: Position; resolve: (reached: boolean) => void };

/** Callers waiting for a position to be reached (a query's `minPosition`), each with a timeout. */
export class PositionWaiters {
  private waiters: Waiter[] = [];

  /** Resolves true once `reached` passes `position`, false after `timeoutMs` or on `cancelAll`. */
  wait(position: Position, timeoutMs: number): Promise<boolean> {
    const timeout = new AbortController();
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        resolve: (reached) => {
          timeout.abort();
          resolve(reached);
        },
      };
      this.waiters.push(waiter);
      sleep(timeoutMs, undefined, { signal: timeout.signal }).then(
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        },
        () => undefined, // reached first
      );
    });
  }

  /** Whether anyone is waiting. */
  get pending(): boolean {
    return this.waiters.length > 0;
  }

  reached(position: Position): void {
    this.waiters = this.waiters.filter((w) =>
      w.position <= position ? (w.resolve(true), false) : true,
    );
  }

  cancelAll(): void {
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }
}
