import type { NatsConnection } from "nats";
import type { EventStore } from "../ports/event-store.js";
import type { Readiness } from "../adapters/http/health-and-metrics.js";

export type ReadinessDeps = {
  nc: NatsConnection;
  store: EventStore;
  /** Global position the read models hold (here, or followed from the lease holder's checkpoint). */
  checkpoint(): bigint;
  maxLag: number;
  timeoutMs?: number;
};

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `/readyz`: NATS connected, the event store answering, projections no more than maxLag events behind. */
export function readinessProbe(deps: ReadinessDeps): () => Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2000;
  return async () => {
    const reasons: string[] = [];
    const nats = deps.nc.isClosed()
      ? Promise.reject(new Error("the connection is closed"))
      : within(deps.nc.rtt(), timeoutMs, "NATS");
    const [natsResult, headResult] = await Promise.allSettled([
      nats,
      within(deps.store.headPosition(), timeoutMs, "the event store"),
    ]);
    if (natsResult.status === "rejected")
      reasons.push(`nats: not connected (${reasonOf(natsResult.reason)})`);
    if (headResult.status === "rejected")
      reasons.push(`event store: ${reasonOf(headResult.reason)}`);
    else {
      const checkpoint = deps.checkpoint();
      const lag = headResult.value > checkpoint ? headResult.value - checkpoint : 0n;
      if (lag > BigInt(deps.maxLag))
        reasons.push(`projections: ${lag} events behind the store (READY_MAX_LAG=${deps.maxLag})`);
    }
    return { ready: reasons.length === 0, reasons };
  };
}
