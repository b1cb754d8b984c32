/**
 * Golden replies: every query reply and REST GET body the read side serves,
 * for the same events, stays what it was when the goldens were recorded. The
 * log (test/support/golden-logs.ts) holds the seed's campaigns (every command
 * kind), a 100,000-number campaign and one of 1,000 numbers with 20 attempts
 * each; a service started on it (its default configuration) projects it from
 * zero into a fresh nats-server's KV, and each reply is compared byte for byte
 * (large ones by SHA-256). Only `recordedAt` in history (when this run wrote
 * the log) is masked.
 *
 * A change that alters a reply on purpose records them again:
 *   GOLDEN_UPDATE=1 npx vitest run test/projections/read-model-goldens.e2e.test.ts
 * and the diff of the golden file shows what changed.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tenantConnectionOptions } from "../../src/client/campaigns-client.js";
import { loadConfig } from "../../src/main/config.js";
import { type RunningInstance, startInstance } from "../../src/main/compose.js";
import { openEventStore } from "../../src/main/open-event-store.js";
import {
  writeLargeCampaign,
  writeSeedCampaigns,
  writeTwentyAttemptCampaign,
} from "../support/golden-logs.js";
import { freePort, type RunningNatsServer, startNatsServer } from "../support/nats-server.js";

const GOLDEN_FILE = join(import.meta.dirname, "read-model-goldens.json");
/** Replies longer than this (and those named `digest: ...`) are kept as a digest and their first characters. */
const WHOLE_UP_TO = 16_000;
const KEYS = { acme: "acme-golden-key", globex: "globex-golden-key" } as const;

type Reply = { status: string; body: string };
type Golden = { status: string; body?: string; sha256?: string; length?: number; head?: string };

let nats: RunningNatsServer;
let dataDir: string;
let instance: RunningInstance;
let nc: Record<keyof typeof KEYS, NatsConnection>;
let base: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "read-model-goldens-"));
  const store = await openEventStore({ kind: "sqlite", dataDir });
  await writeSeedCampaigns(store);
  await writeLargeCampaign(store, "large");
  await writeTwentyAttemptCampaign(store, "twenty");
  const head = await store.headPosition();
  await store.close();

  nats = await startNatsServer();
  const port = await freePort();
  instance = await startInstance(
    loadConfig({
      NATS_URL: nats.url,
      DATA_DIR: dataDir,
      OPS_PORT: "",
      HTTP_PORT: String(port),
      API_KEYS: `${KEYS.acme}:acme,${KEYS.globex}:globex`,
    }),
    pino({ level: "silent" }),
  );
  base = `http://127.0.0.1:${port}`;
  nc = {
    acme: await connect({ servers: nats.url, ...tenantConnectionOptions("acme") }),
    globex: await connect({ servers: nats.url, ...tenantConnectionOptions("globex") }),
  };
  if (!(await instance.projections.waitFor(head, 240_000)))
    throw new Error("the projections did not reach the log's head");
}, 600_000);

afterAll(async () => {
  await nc?.acme.close();
  await nc?.globex.close();
  await instance?.stop();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const masked = (text: string) => text.replace(/"recordedAt":"[^"]*"/g, '"recordedAt":"*"');

async function query(client: keyof typeof KEYS, name: string, body: unknown): Promise<Reply> {
  const reply = await nc[client].request(
    `campaigns.${client}.query.${name}`,
    new TextEncoder().encode(JSON.stringify(body)),
    { timeout: 60_000 },
  );
  return {
    status: reply.headers?.get("Nats-Service-Error-Code") || "ok",
    body: masked(new TextDecoder().decode(reply.data)),
  };
}

async function get(client: keyof typeof KEYS, path: string): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${KEYS[client]}` },
  });
  return {
    status: `${response.status} ${response.headers.get("content-type") ?? ""}`,
    body: masked(await response.text()),
  };
}

/** Every page of an export over NATS, following `next`. */
async function exportAll(id: string, kind: string): Promise<Record<string, Reply>> {
  const replies: Record<string, Reply> = {};
  let cursor: { page: number; offset: number } | null = { page: 0, offset: 0 };
  while (cursor) {
    const reply = await query("acme", "get-campaign-export", { id, kind, ...cursor });
    // Every page of the two large campaigns: kept by digest (the names say which they are).
    replies[`digest: nats get-campaign-export ${id} ${kind} ${cursor.page}.${cursor.offset}`] =
      reply;
    cursor =
      reply.status === "ok"
        ? (JSON.parse(reply.body) as { next: { page: number; offset: number } | null }).next
        : null;
  }
  return replies;
}

/** The requests and their replies, each under a name that says what was asked. */
async function collect(): Promise<Record<string, Reply>> {
  const replies: Record<string, Reply> = {};
  const ask = async (client: keyof typeof KEYS, name: string, body: unknown) =>
    (replies[`nats ${client} ${name} ${JSON.stringify(body)}`] = await query(client, name, body));
  const rest = async (client: keyof typeof KEYS, path: string) =>
    (replies[`rest ${client} GET ${path}`] = await get(client, path));

  for (const client of ["acme", "globex"] as const) {
    await ask(client, "list-campaigns", {});
    await rest(client, "/api/campaign/voice");
  }
  const seedCampaigns = ["seed-1", "seed-2", "seed-3", "globex-1", "missing"];
  for (const id of seedCampaigns) {
    const client = id.startsWith("globex") ? "globex" : "acme";
    await ask(client, "get-campaign", { id });
    await ask(client, "get-campaign", { id, phoneNumbersPage: 0 });
    await ask(client, "get-campaign-statistics", { id });
    await ask(client, "get-campaign-timeline", { id, bucket: "hour" });
    await ask(client, "get-campaign-timeline", { id, bucket: "day" });
    await ask(client, "get-campaign-timeline", {
      id,
      bucket: "hour",
      from: "2030-10-01T09:00:00Z",
      to: "2030-10-01T12:00:00Z",
    });
    await ask(client, "get-campaign-history", { id, limit: 1000 });
    await ask(client, "get-campaign-state-at", { id, revision: 3 });
    await ask(client, "get-dial-queue", { id });
    for (const kind of ["results", "attempts"])
      await ask(client, "get-campaign-export", { id, kind, page: 0, offset: 0 });
    for (const path of [
      "",
      "/statistics",
      "/timeline?bucket=hour",
      "/timeline?bucket=day",
      "/history?limit=1000",
      "/state?revision=5",
      "/results.csv",
      "/attempts.csv",
      "/dial-queue",
    ])
      await rest(client, `/api/campaign/voice/${id}${path}`);
  }
  // Another client's campaign is nobody's.
  await ask("globex", "get-campaign", { id: "seed-1" });
  await ask("globex", "get-campaign-statistics", { id: "seed-1" });
  await rest("globex", "/api/campaign/voice/seed-1/results.csv");
  await ask("acme", "list-exclusions", {});
  await ask("acme", "list-exclusions", { campaignId: "seed-1" });

  for (const id of ["large", "twenty"]) {
    await ask("acme", "get-campaign", { id });
    for (const page of id === "large" ? [0, 42, 99, 100] : [0, 1])
      await ask("acme", "get-campaign", { id, phoneNumbersPage: page });
    await ask("acme", "get-campaign-statistics", { id });
    await ask("acme", "get-campaign-timeline", { id, bucket: "hour" });
    await ask("acme", "get-campaign-timeline", { id, bucket: "day" });
    await ask("acme", "get-campaign-history", { id, fromRevision: 10, limit: 50 });
    await ask("acme", "get-campaign-state-at", { id, revision: 12, phoneNumbersPage: 1 });
    await ask("acme", "get-dial-queue", { id });
    for (const kind of ["results", "attempts"]) Object.assign(replies, await exportAll(id, kind));
    for (const path of [
      "",
      "/statistics",
      "/timeline?bucket=hour",
      "/timeline?bucket=day",
      "/results.csv",
      "/attempts.csv",
      "/dial-queue",
    ])
      await rest("acme", `/api/campaign/voice/${id}${path}`);
  }
  // A number's own view through the export's cursor, mid-page.
  await ask("acme", "get-campaign-export", { id: "large", kind: "results", page: 3, offset: 500 });
  return replies;
}

const golden = (name: string, reply: Reply): Golden =>
  reply.body.length <= WHOLE_UP_TO && !name.startsWith("digest:")
    ? reply
    : {
        status: reply.status,
        sha256: createHash("sha256").update(reply.body).digest("hex"),
        length: reply.body.length,
        head: reply.body.slice(0, 200),
      };

it("serves every query reply and GET body as recorded", { timeout: 600_000 }, async () => {
  const now = Object.fromEntries(
    Object.entries(await collect()).map(([name, reply]) => [name, golden(name, reply)]),
  );
  if (process.env.GOLDEN_UPDATE === "1" || !existsSync(GOLDEN_FILE)) {
    writeFileSync(GOLDEN_FILE, `${JSON.stringify(now, null, 2)}\n`);
    if (process.env.GOLDEN_UPDATE !== "1") throw new Error(`recorded ${GOLDEN_FILE}; run again`);
    return;
  }
  const recorded = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Record<string, Golden>;
  expect(Object.keys(now).sort()).toEqual(Object.keys(recorded).sort());
  const differing = Object.keys(recorded)
    .filter((name) => JSON.stringify(now[name]) !== JSON.stringify(recorded[name]))
    .map((name) => `${name}: ${firstDifference(recorded[name]!, now[name]!)}`);
  expect(differing).toEqual([]);
});

/** Where a reply first differs from its golden, briefly: the status, or the text around the first difference. */
function firstDifference(recorded: Golden, now: Golden): string {
  if (recorded.status !== now.status) return `status ${recorded.status} -> ${now.status}`;
  const [a, b] = [recorded.body ?? recorded.head ?? "", now.body ?? now.head ?? ""];
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  if (at === a.length && a.length === b.length)
    return `same start, digest ${recorded.sha256} -> ${now.sha256}`;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 60), at + 60));
  return `at ${at}: ${around(a)} -> ${around(b)}`;
}
