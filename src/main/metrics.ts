/**
 * Prometheus metrics (CONTRACT.md "Operations"), one registry per service
 * instance (tests run several in one process), with the process's defaults.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RequestMetrics } from "../ports/request-metrics.js";

export type LagSources = {
  /** Events the store holds that the read models do not yet; undefined when unknown (store away). */
  projectionLag(): Promise<bigint | undefined>;
  /** Events the store holds that the relay has not yet published; undefined where the relay does not run. */
  relayLag(): Promise<bigint | undefined>;
};

export type ServiceMetrics = RequestMetrics & {
  readonly registry: Registry;
  /** Times one event store append, in seconds. */
  appendTimer(): () => void;
};

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const lagGauge = (
  registry: Registry,
  name: string,
  help: string,
  read: () => Promise<bigint | undefined>,
) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.reset();
      const lag = await read().catch(() => undefined);
      if (lag !== undefined) this.set(Number(lag));
    },
  });

export function createMetrics(lag: LagSources): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "campaigns_requests_total",
    help: "Requests answered, by kind, name and code (ok or the error code)",
    labelNames: ["kind", "name", "code", "transport"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "campaigns_request_duration_seconds",
    help: "Time from a request's arrival to its answer",
    labelNames: ["kind", "name"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "campaigns_in_flight_requests",
    help: "Requests being handled now",
    registers: [registry],
  });
  const append = new Histogram({
    name: "campaigns_event_store_append_duration_seconds",
    help: "Event store appends, from call to acknowledgement",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  lagGauge(
    registry,
    "campaigns_projection_lag_events",
    "Events in the store not yet in the read models",
    lag.projectionLag,
  );
  lagGauge(
    registry,
    "campaigns_relay_lag_events",
    "Events in the store not yet relayed to CAMPAIGN_EVENTS (on the instance running the relay)",
    lag.relayLag,
  );

  return {
    registry,
    started(kind, name, transport) {
      inFlight.inc();
      const stop = duration.startTimer({ kind, name });
      return (code) => {
        inFlight.dec();
        stop();
        requests.inc({ kind, name, code, transport });
      };
    },
    appendTimer: () => append.startTimer(),
  };
}
