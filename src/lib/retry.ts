/**
 * The one retry/backoff rule of the service: exponential delays, capped,
 * optionally jittered, and a retry loop that an AbortSignal ends (a stopping
 * component gives up instead of retrying forever). Sleeps are node:timers/promises.
 */
import { setTimeout as sleep } from "node:timers/promises";

export type Backoff = {
  /** Delay before the first retry. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Growth per attempt; 2 unless said. */
  factor?: number;
  /**
   * `none`: exactly the exponential delay; `full`: uniform in [0, delay] (spreads
   * competing writers); `half`: uniform in [delay/2, delay]. `none` unless said.
   */
  jitter?: "none" | "full" | "half";
};

/** The delay before retry number `attempt` (0-based). `random` is an input so the rule stays a pure function. */
export function backoffDelay(
  backoff: Backoff,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    backoff.maxMs,
    backoff.initialMs * (backoff.factor ?? 2) ** Math.min(attempt, 30),
  );
  switch (backoff.jitter ?? "none") {
    case "none":
      return exponential;
    case "full":
      return random() * exponential;
    case "half":
      return exponential / 2 + (random() * exponential) / 2;
  }
}

export type RetryOptions = Backoff & {
  /** Tries after the first; unlimited unless said. */
  retries?: number;
  /** Whether this failure is worth another try (default: every failure). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Told before each wait, for logging. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Once aborted, no further try: the last failure is thrown. */
  signal?: AbortSignal;
};

/** Runs `attempt` until it succeeds, waiting `backoffDelay` between tries; rethrows the failure retries cannot mend. */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const giveUp =
        options.signal?.aborted ||
        n >= (options.retries ?? Infinity) ||
        options.shouldRetry?.(error, n) === false;
      if (giveUp) throw error;
      const delayMs = backoffDelay(options, n);
      options.onRetry?.(error, n, delayMs);
      if (!(await pause(delayMs, options.signal))) throw error;
    }
  }
}

/** Waits `ms`; resolves false at once if `signal` aborts first. */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal });
    return true;
  } catch {
    return false; // aborted
  }
}
