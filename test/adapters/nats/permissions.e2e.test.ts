/**
 * CONTRACT.md "Tenants and NATS permissions", against nats-server running the
 * repository's own example configuration (deploy/nats/nats-server.conf): the
 * service works with its limited user, a tenant's commands, queries and live
 * events work, and nothing else does: no publishing into the event stream
 * (directly or by a forged reply subject), no other tenant's subjects or
 * replies, no $JS, $KV or $SRV.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, headers, type NatsConnection } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CampaignsClient, tenantConnectionOptions } from "../../../src/client/campaigns-client.js";
import { loadConfig } from "../../../src/main/config.js";
import { type RunningInstance, startInstance } from "../../../src/main/compose.js";
import { startNatsServer, type RunningNatsServer } from "../../support/nats-server.js";
import { registerDefaults, seedPostBody } from "../../support/instance.js";
import { runCli } from "../../support/cli.js";

const CONFIG = resolve(__dirname, "../../../deploy/nats/nats-server.conf");
// A letter first: nats-server reads an environment value that starts with a digit as a number, not
// a string.
const secret = () => `p${randomBytes(12).toString("hex")}`;
const passwords = {
  CAMPAIGNS_SERVICE_PASSWORD: secret(),
  ACME_PASSWORD: secret(),
  GLOBEX_PASSWORD: secret(),
};

let nats: RunningNatsServer;
let service: RunningInstance;
let dataDir: string;
let serviceNc: NatsConnection; // the service's own user, for looking into the stream
const tenants: NatsConnection[] = [];

/** A tenant's connection, as CONTRACT.md asks: its own user, its own inbox prefix; every server error it gets, kept. */
async function tenant(clientId: "acme" | "globex") {
  const nc = await connect({
    servers: nats.url,
    user: clientId,
    pass: clientId === "acme" ? passwords.ACME_PASSWORD : passwords.GLOBEX_PASSWORD,
    ...tenantConnectionOptions(clientId),
  });
  tenants.push(nc);
  const violations: { operation: string; subject: string }[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      const context = (status as { permissionContext?: { operation: string; subject: string } })
        .permissionContext;
      if (context) violations.push(context);
    }
  })();
  return { nc, client: new CampaignsClient(nc, clientId), violations };
}

const refusedPublish = async (t: Awaited<ReturnType<typeof tenant>>, subject: string) => {
  t.nc.publish(subject, "{}");
  await t.nc.flush();
  await until(() => t.violations.some((v) => v.operation === "publish" && v.subject === subject));
};

const refusedSubscribe = async (t: Awaited<ReturnType<typeof tenant>>, subject: string) => {
  const got: string[] = [];
  t.nc.subscribe(subject, { callback: (err, msg) => void (err === null && got.push(msg.subject)) });
  await t.nc.flush();
  await until(() =>
    t.violations.some((v) => v.operation === "subscription" && v.subject === subject),
  );
  return got;
};

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Messages in CAMPAIGN_EVENTS on a subject, as the service's user sees them. */
const inStream = async (subject: string): Promise<number> => {
  const jsm = await serviceNc.jetstreamManager();
  const info = await jsm.streams.info("CAMPAIGN_EVENTS", { subjects_filter: subject });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
};

beforeAll(async () => {
  nats = await startNatsServer({
    config: CONFIG,
    env: passwords,
    probe: { user: "acme", pass: passwords.ACME_PASSWORD },
  });
  dataDir = mkdtempSync(join(tmpdir(), "campaigns-permissions-"));
  const config = loadConfig({
    NATS_URL: nats.url,
    NATS_USER: "campaigns-service",
    NATS_PASSWORD: passwords.CAMPAIGNS_SERVICE_PASSWORD,
    DATA_DIR: dataDir,
    EVENT_STORE: "sqlite",
    OPS_PORT: "",
  });
  service = await startInstance(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  serviceNc = await connect({
    servers: nats.url,
    user: "campaigns-service",
    pass: passwords.CAMPAIGNS_SERVICE_PASSWORD,
    inboxPrefix: "_INBOX_campaigns",
  });
}, 60_000);
afterAll(async () => {
  await Promise.all(tenants.map((nc) => nc.close()));
  await serviceNc?.close();
  await service?.stop();
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the example NATS configuration (deploy/nats)", () => {
  it("lets a tenant command and query, and sends it its own events live; the service runs with its limited user", async () => {
    const acme = await tenant("acme");
    const live: string[] = [];
    const events = acme.nc.subscribe("campaigns.acme.events.>", {
      callback: (_err, msg) => live.push(msg.subject),
    });
    await acme.nc.flush();
    await registerDefaults(acme.client);
    const created = await acme.client.createCampaign({ id: "perm-1", ...seedPostBody() });
    expect(
      await acme.client.getCampaign({ id: "perm-1", minPosition: created.position }),
    ).toMatchObject({ id: "perm-1", name: "Test Campaign" });
    await until(() => live.includes("campaigns.acme.events.perm-1.CampaignCreated"));
    expect(live).toContain("campaigns.acme.events.perm-1.PhoneNumbersAdded");
    expect(acme.violations).toEqual([]);
    events.unsubscribe();
  });

  it("refuses a tenant publishing on any events subject, its own included: nothing reaches the stream", async () => {
    const acme = await tenant("acme");
    for (const subject of [
      "campaigns.acme.events.perm-1.SmsRequested",
      "campaigns.globex.events.x.SmsRequested",
    ]) {
      await refusedPublish(acme, subject);
      expect(await inStream(subject)).toBe(0);
    }
  });

  it("never answers a request on a reply subject in the event stream (a forgery by proxy)", async () => {
    const acme = await tenant("acme");
    const forged = "campaigns.acme.events.perm-1.SmsRequested";
    const h = headers();
    h.set("Command-Id", "forged-reply");
    acme.nc.publish("campaigns.acme.cmd.pause-campaign", JSON.stringify({ id: "perm-1" }), {
      reply: forged,
      headers: h,
    });
    await acme.nc.flush();
    // The same request with a real inbox is answered, so the forged one has been seen by then.
    await acme.client.resumeCampaign({ id: "perm-1" });
    expect(await inStream(forged)).toBe(0);
    expect(acme.violations).toEqual([]);
  });

  it("refuses a tenant another tenant's subjects and replies", async () => {
    const acme = await tenant("acme");
    const globex = await tenant("globex");
    const caught = await Promise.all(
      ["campaigns.globex.events.>", "_INBOX.globex.>", "_INBOX.>", "campaigns.>"].map((subject) =>
        refusedSubscribe(acme, subject),
      ),
    );
    // globex's own traffic goes on meanwhile, and none of it reaches acme.
    await registerDefaults(globex.client);
    await globex.client.listCampaigns();
    expect(caught.flat()).toEqual([]);
    await refusedPublish(acme, "campaigns.globex.cmd.create-campaign");
    await refusedPublish(acme, "campaigns.globex.query.list-campaigns");
  });

  it("gives a tenant no $JS, $KV or $SRV rights", async () => {
    const acme = await tenant("acme");
    for (const subject of [
      "$JS.API.INFO",
      "$JS.API.STREAM.INFO.CAMPAIGN_EVENTS",
      "$KV.campaign-summaries.acme.perm-1",
      "$SRV.PING.campaigns",
    ])
      await refusedPublish(acme, subject);
    for (const subject of ["$SRV.>", "$KV.campaign-summaries.>", "$JS.EVENT.>"])
      await refusedSubscribe(acme, subject);
  });

  it("keeps each tenant's replies in its own inbox even on a connection without the prefix", async () => {
    // The typed client asks for replies under _INBOX.<client> itself when the connection was not
    // given the prefix.
    const nc = await connect({
      servers: nats.url,
      user: "globex",
      pass: passwords.GLOBEX_PASSWORD,
    });
    tenants.push(nc);
    const globex = new CampaignsClient(nc, "globex");
    await registerDefaults(globex);
    expect(await globex.listCampaigns()).toEqual([]);
  });
});

describe("NATS credentials at start-up", () => {
  it(
    "stops `campaigns serve` with one plain line naming the variable when the server refuses them, printing no secret",
    { timeout: 90_000 },
    async () => {
      const port = new URL(nats.url.replace(/^nats:/, "http:")).port;
      const wrong = "not-the-password-" + randomBytes(6).toString("hex");
      const runs = await Promise.all([
        runCli(["serve"], {
          NATS_URL: `nats://campaigns-service:${wrong}@127.0.0.1:${port}`,
          DATA_DIR: join(dataDir, "a"),
        }),
        runCli(["serve"], {
          NATS_URL: nats.url,
          NATS_USER: "campaigns-service",
          NATS_PASSWORD: wrong,
          DATA_DIR: join(dataDir, "b"),
        }),
        runCli(["serve"], { NATS_URL: nats.url, DATA_DIR: join(dataDir, "c") }),
      ]);
      const lines = runs.map((run) => run.stderr.trim());
      expect(runs.map((run) => run.code)).toEqual([1, 1, 1]);
      expect(lines[0]).toMatch(
        /^invalid configuration: NATS_URL: the NATS server at nats:\/\/127\.0\.0\.1:\d+ refused these credentials$/,
      );
      expect(lines[1]).toMatch(
        /^invalid configuration: NATS_USER\/NATS_PASSWORD: the NATS server at .* refused these credentials$/,
      );
      expect(lines[2]).toMatch(
        /^invalid configuration: NATS_URL=.*: the server requires credentials; set NATS_CREDS, NATS_USER and NATS_PASSWORD, or NATS_TOKEN$/,
      );
      for (const run of runs) expect(run.stdout + run.stderr).not.toContain(wrong);
    },
  );

  it("runs with the user and password given in NATS_URL", async () => {
    const config = loadConfig({
      NATS_URL: nats.url.replace(
        "nats://",
        `nats://campaigns-service:${passwords.CAMPAIGNS_SERVICE_PASSWORD}@`,
      ),
      DATA_DIR: dataDir,
      EVENT_STORE: "sqlite",
      OPS_PORT: "",
    }); // a second instance of the same deployment: the same store
    const second = await startInstance(config, pino({ level: "silent" }));
    expect(second.handlers.queryNames.length).toBeGreaterThan(0);
    await second.stop();
  });
});
