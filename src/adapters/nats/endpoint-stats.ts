import type { Endpoint, NamedEndpointStats } from "nats";

type Counts = { requests: number; errors: number; nanos: number; lastError?: string };

/**
 * `$SRV.STATS.campaigns` per endpoint, measured by the service. The framework
 * times only the handler's synchronous part (our handlers answer after an
 * await, so it saw ~0.03 ms) and counts an error only when the handler throws
 * (never: errors are answered with respondError). So every answer is recorded
 * here, error replies counted as errors, and the framework's record is
 * overwritten with these figures whenever it is asked for stats.
 */
export class EndpointStats {
  private readonly byEndpoint = new Map<string, Counts>();

  record(endpoint: string, ms: number, error: string | undefined): void {
    const counts = this.byEndpoint.get(endpoint) ?? { requests: 0, errors: 0, nanos: 0 };
    counts.requests++;
    counts.nanos += Math.round(ms * 1e6);
    if (error !== undefined) {
      counts.errors++;
      counts.lastError = error;
    }
    this.byEndpoint.set(endpoint, counts);
  }

  /** Called from the framework's statsHandler with its endpoint record (which carries `stats`). */
  report(endpoint: Endpoint): void {
    // At run time the framework passes its own record: the endpoint's options plus `name` and
    // `stats`.
    const record = endpoint as Endpoint & { name?: string; stats?: Partial<NamedEndpointStats> };
    const target = record.stats;
    const counts = record.name === undefined ? undefined : this.byEndpoint.get(record.name);
    if (target === undefined || counts === undefined) return;
    target.num_requests = counts.requests;
    target.num_errors = counts.errors;
    target.processing_time = counts.nanos;
    target.average_processing_time = Math.round(counts.nanos / counts.requests);
    if (counts.lastError !== undefined) target.last_error = counts.lastError;
  }
}
