/**
 * OpenTelemetry set-up. The code uses @opentelemetry/api only (src/app/tracing.ts);
 * here the process gets what makes it work:
 * - always: async context (so a request's span is current across awaits, and log
 *   lines carry its trace_id) and W3C trace context (`traceparent`) propagation;
 * - when the standard variables ask for it (OTEL_EXPORTER_OTLP_ENDPOINT or
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, not OTEL_SDK_DISABLED=true or
 *   OTEL_TRACES_EXPORTER=none): the SDK, exporting spans over OTLP/HTTP. The
 *   exporter and provider read the other OTEL_* variables themselves
 *   (headers, timeouts, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, sampler).
 */
import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

let installed = false;

/** Idempotent; a context manager or propagator registered before (an SDK, a test's provider) is kept. */
export function installContextPropagation(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export const tracingRequested = (env: Record<string, string | undefined>): boolean =>
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
  env.OTEL_SDK_DISABLED !== "true" &&
  env.OTEL_TRACES_EXPORTER !== "none";

/** Starts the SDK when the environment asks for it (loaded only then: the CLI and a plain start stay light); returns how to flush and stop it. */
export async function startTracing(
  env: Record<string, string | undefined>,
  version: string,
): Promise<{ enabled: boolean; shutdown(): Promise<void> }> {
  if (!tracingRequested(env)) return { enabled: false, shutdown: async () => undefined };
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
  const { detectResources, envDetector, resourceFromAttributes } =
    await import("@opentelemetry/resources");
  const { BatchSpanProcessor, NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over these defaults.
    resource: resourceFromAttributes({
      "service.name": "campaign-service",
      "service.version": version,
    }).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  installContextPropagation();
  return { enabled: true, shutdown: () => provider.shutdown() };
}
