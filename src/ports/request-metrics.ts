/**
 * What the transports (NATS endpoints, REST gateway) report of each request,
 * so that an operator sees errors by code and latency by command. The
 * composition root supplies the Prometheus implementation.
 */
export type RequestKind = "command" | "query";
export type Transport = "nats" | "http";

export interface RequestMetrics {
  /** A request arrived; call the returned function once, when it is answered, with "ok" or the error code. */
  started(kind: RequestKind, name: string, transport: Transport): (code: string) => void;
}

export const noRequestMetrics: RequestMetrics = { started: () => () => undefined };
