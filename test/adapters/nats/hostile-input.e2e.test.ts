/**
 * Hostile and careless input over NATS (issue 9 item 2): every deterministic
 * failure is its 4xx, never 503; an error too big for one reply keeps its
 * first details and says how many were left out; header values that are not
 * valid are a 400, even a header block nats.js cannot parse.
 */
import { createConnection } from "node:net";
import { headers, type Msg } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestInstanceWithCampaign, type TestInstance } from "../../support/instance.js";

let svc: TestInstance;

beforeAll(async () => {
  svc = await startTestInstanceWithCampaign("h-1");
});
afterAll(async () => {
  await svc?.stop();
});

const decoder = new TextDecoder();
const errorOf = (msg: Msg) => ({
  status: Number(msg.headers?.get("Nats-Service-Error-Code") || 0),
  body: JSON.parse(decoder.decode(msg.data)) as {
    code: string;
    details: { field?: string; reason: string }[];
    detailsOmitted?: number;
  },
});
const head = () => svc.instance.store.headPosition();

/** A raw HPUB, so a header block can be anything a careless client might send. */
function rawRequest(
  subject: string,
  headerBlock: string,
  body: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(svc.natsUrl.replace(/^nats:/, "http:"));
  return new Promise((resolve, reject) => {
    const socket = createConnection(Number(port), hostname);
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no reply: ${buffer}`)), 10_000);
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      const match = /HMSG _INBOX\.raw\.1 1 (\d+) (\d+)\r\n/.exec(buffer);
      if (!match) return;
      const start = match.index + match[0].length;
      if (buffer.length < start + Number(match[2])) return;
      const block = buffer.slice(start, start + Number(match[1]));
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(/Nats-Service-Error-Code: (\d+)/.exec(block)?.[1] ?? 200),
        body: buffer.slice(start + Number(match[1]), start + Number(match[2])),
      });
    });
    socket.on("error", reject);
    const hdr = `NATS/1.0\r\n${headerBlock}\r\n`;
    const total = Buffer.byteLength(hdr) + Buffer.byteLength(body);
    socket.write(
      `CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB _INBOX.raw.1 1\r\nHPUB ${subject} _INBOX.raw.1 ${Buffer.byteLength(hdr)} ${total}\r\n${hdr}${body}\r\n`,
    );
  });
}

describe("hostile input", () => {
  it("answers a header block with a line break inside a value with 400, writing nothing", async () => {
    const before = await head();
    const reply = await rawRequest(
      "campaigns.acme.cmd.pause-campaign",
      "Command-Id: abc\ndef\r\n",
      JSON.stringify({ id: "h-1" }),
    );
    expect(reply.status).toBe(400);
    expect(await head()).toBe(before);
  });

  it.each([
    ["over 200 characters", "x".repeat(201)],
    ["not ASCII", "commande-é"],
    ["a control character", "a\u0007b"],
  ])(
    "answers a Command-Id %s with 400 naming the header, writing nothing",
    async (_label, value) => {
      const before = await head();
      const h = headers();
      h.set("Command-Id", "placeholder");
      // nats.js checks names, not values: set what a careless client would send.
      (h as unknown as { headers: Map<string, string[]> }).headers.set("Command-Id", [value]);
      const msg = await svc.nc.request(
        "campaigns.acme.cmd.pause-campaign",
        JSON.stringify({ id: "h-1" }),
        { timeout: 5000, headers: h },
      );
      const error = errorOf(msg);
      expect(error.status).toBe(400);
      expect(error.body.details[0]!.field).toBe("Command-Id");
      expect(await head()).toBe(before);
    },
  );

  it("reads request header names in any letter case", async () => {
    const h = headers();
    h.set("correlation-id", "x".repeat(300));
    const msg = await svc.nc.request(
      "campaigns.acme.cmd.pause-campaign",
      JSON.stringify({ id: "h-1" }),
      { timeout: 5000, headers: h },
    );
    expect(errorOf(msg)).toMatchObject({
      status: 400,
      body: { details: [{ field: "Correlation-Id" }] },
    });
  });

  it("answers 10,000 invalid numbers with a 422 that fits one reply: the first details and detailsOmitted", async () => {
    const phoneNumbers = Array.from({ length: 10_000 }, (_, i) => ({
      number: `invalid-number-${String(i).padStart(40, "0")}`,
    }));
    const before = await head();
    const msg = await svc.nc.request(
      "campaigns.acme.cmd.add-phone-numbers",
      JSON.stringify({ id: "h-1", phoneNumbers }),
      { timeout: 30_000 },
    );
    const error = errorOf(msg);
    expect(error.status).toBe(422);
    expect(msg.data.length).toBeLessThanOrEqual(svc.nc.info!.max_payload);
    expect(error.body.details.length).toBeGreaterThan(1000);
    expect(error.body.details[0]).toMatchObject({ field: "phoneNumbers.0.number" });
    expect(error.body.details.length + error.body.detailsOmitted!).toBe(10_000);
    expect(await head()).toBe(before);
  });
});
