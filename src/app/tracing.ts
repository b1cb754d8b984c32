/**
 * Spans through the OpenTelemetry API only: without an SDK (OTEL_* unset) they
 * cost next to nothing and still carry an incoming trace's ids. The SDK is
 * switched on in src/main/tracing.ts.
 */
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

const tracer = () => trace.getTracer("campaign-service");

/**
 * Runs a request (a command or query) in its span, a child of the caller's
 * `traceparent` when one came with it (NATS header or HTTP), else a new trace.
 */
export function inRequestSpan<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const parent =
    traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent });
  return tracer().startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, (span) =>
    run(span).finally(() => span.end()),
  );
}

/** Marks a span failed by `error` (recorded as its exception), which it gives back for the caller to throw. */
function failed(span: Span, error: unknown): unknown {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  return error;
}

/** A step of the current request (decide, append, reply) as a child span; a thrown error marks it failed. */
export function inChildSpan<T>(name: string, run: () => Promise<T> | T): Promise<T> {
  return tracer().startActiveSpan(name, async (span) => {
    try {
      return await run();
    } catch (error) {
      throw failed(span, error);
    } finally {
      span.end();
    }
  });
}

/** A synchronous step (decide) as a child span. */
export function inChildSpanSync<T>(name: string, run: () => T): T {
  return tracer().startActiveSpan(name, (span) => {
    try {
      return run();
    } catch (error) {
      throw failed(span, error);
    } finally {
      span.end();
    }
  });
}

/** Ends a request span with the answer's code: only "retry later" and internal failures are errors of the service. */
export function markAnswer(span: Span, code: string): void {
  span.setAttribute("campaigns.code", code);
  if (code === "unavailable" || code === "internal")
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** The current span as a W3C `traceparent` (for event metadata and relayed events), when there is one. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The current trace's id, for log lines. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
