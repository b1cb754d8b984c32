/**
 * Traces with the real OpenTelemetry SDK and its in-memory exporter: a span
 * per command and query, children for decide, append and reply, the caller's
 * `traceparent` (NATS header or HTTP) as the parent, relayed events carrying
 * it as a header, and the request's log line carrying its trace_id.
 */
import { Writable } from "node:stream";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/main/logger.js";
import { API_KEYS, http } from "../support/gateway.js";
import { freePort, type RunningNatsServer, startNatsServer } from "../support/nats-server.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstance,
  type TestInstance,
} from "../support/instance.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const lines: Record<string, unknown>[] = [];
let nats: RunningNatsServer;
let svc: TestInstance;
let base: string;

beforeAll(async () => {
  provider.register(); // the SDK as OTEL_EXPORTER_OTLP_ENDPOINT would switch it on, with an in-memory exporter
  nats = await startNatsServer();
  const sink = new Writable({
    write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()),
  });
  const port = await freePort();
  svc = await startTestInstance(
    nats.url,
    { HTTP_PORT: String(port), API_KEYS: `${API_KEYS.acme}:acme` },
    createLogger("debug", sink),
  );
  base = `http://127.0.0.1:${port}`;
  await registerDefaults(svc.client("acme"));
});
afterAll(async () => {
  await svc?.stop();
  await nats?.stop();
  await provider.shutdown();
});

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const traceparent = (trace: string, span: string) => `00-${trace}-${span}-01`;
const spansOf = (traceId: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans
    .filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId)
    .map((s) => s.name);

describe("traces", () => {
  it("a command over NATS: its span under the caller's traceparent, with decide, append and reply; its events relayed with the trace", async () => {
    const relayed = svc.nc.subscribe("campaigns.acme.events.traced-1.>", { max: 1 });
    await svc.nc.flush();
    await svc
      .client("acme")
      .createCampaign(
        { id: "traced-1", ...seedPostBody() },
        { traceparent: traceparent(TRACE, CALLER_SPAN) },
      );

    const spans = spansOf(TRACE);
    const command = spans.find((s) => s.name === "command create-campaign")!;
    expect(command).toBeDefined();
    expect(command.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(command.attributes).toMatchObject({
      "campaigns.client": "acme",
      "campaigns.code": "ok",
    });
    expect(childrenOf(spans, command)).toEqual(
      expect.arrayContaining(["decide", "append", "reply"]),
    );

    for await (const msg of relayed) {
      const header = msg.headers?.get("traceparent") ?? "";
      expect(header).toMatch(new RegExp(`^00-${TRACE}-${command.spanContext().spanId}-01$`)); // the command's own span
    }

    const accepted = lines.find(
      (l) => l.msg === "request accepted" && l.name === "create-campaign",
    );
    expect(accepted).toMatchObject({ trace_id: TRACE, transport: "nats", code: "ok", level: 20 });
  });

  it("a refused query: its span and one info line with the trace_id", async () => {
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const refused = await svc
      .client("acme")
      .getCampaign({ id: "no-such" }, { traceparent: traceparent(trace, "b7ad6b7169203331") })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "not_found" });
    const query = spansOf(trace).find((s) => s.name === "query get-campaign")!;
    expect(query.attributes["campaigns.code"]).toBe("not_found");
    const info = lines.filter((l) => l.msg === "request refused" && l.trace_id === trace);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 30, code: "not_found", name: "get-campaign" });
  });

  it("a request over HTTP: the traceparent header is the parent, and its log line carries the trace_id", async () => {
    const trace = "5bf92f3577b34da6a3ce929d0e0e4737";
    const created = await http(base, "POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "traced-http" },
      headers: { traceparent: traceparent(trace, CALLER_SPAN) },
    });
    expect(created.status).toBe(201);
    const command = spansOf(trace).find((s) => s.name === "command create-campaign")!;
    expect(command.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(childrenOf(spansOf(trace), command)).toEqual(
      expect.arrayContaining(["decide", "append"]),
    );
    expect(lines.find((l) => l.transport === "http" && l.trace_id === trace)).toMatchObject({
      msg: "request accepted",
      status: 201,
    });

    const refused = await http(base, "GET", "/api/campaign/voice/no-such", {
      key: API_KEYS.acme,
      headers: { traceparent: traceparent(trace, CALLER_SPAN) },
    });
    expect(refused.status).toBe(404);
    expect(
      lines.filter(
        (l) => l.transport === "http" && l.trace_id === trace && l.msg === "request refused",
      ),
    ).toHaveLength(1);
  });
});
