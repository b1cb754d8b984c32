/**
 * `campaigns history`, `state`, `rebuild`, `serve` and usage errors, run as
 * child processes against the running service and a real nats-server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvReadModels } from "../../src/adapters/nats/kv-read-models.js";
import type { CampaignsClient } from "../../src/client/campaigns-client.js";
import { runCli, startCli } from "../support/cli.js";
import { type Gateway, startGatewayWithDefaults } from "../support/gateway.js";
import { freePort, startNatsServer } from "../support/nats-server.js";
import { seedPostBody } from "../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;
let env: Record<string, string>;
const now = () => new Date().toISOString();

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme"]);
  acme = gw.svc.client("acme");
  env = { NATS_URL: gw.nats.url };
  await acme.createCampaign({ ...seedPostBody(), id: "audited" });
  await acme.recordAttemptOutcome({
    id: "audited",
    number: "07722123456",
    attemptNumber: 1,
    outcome: 3,
    occurredAt: now(),
  });
  await acme.recordStageReached({
    id: "audited",
    number: "07722734716",
    attemptNumber: 1,
    stage: 14,
    occurredAt: now(),
  });
  await acme.pauseCampaign({ id: "audited" });
});
afterAll(async () => {
  await gw?.stop();
});

describe("campaigns history", () => {
  it("prints the audit timeline as a table with each event's type and what it did", async () => {
    const result = await runCli(["history", "audited", "--client", "acme"], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^REV\s+POSITION\s+RECORDED AT\s+TYPE\s+COMMAND\s+DETAIL$/);
    const types = [
      "CampaignCreated",
      "PhoneNumbersAdded",
      "AttemptOutcomeRecorded",
      "SmsRequested",
      "StageReached",
      "NumberOptedOut",
      "CampaignPaused",
    ];
    for (const type of types) expect(result.stdout).toContain(type);
    expect(result.stdout).toMatch(
      /AttemptOutcomeRecorded .*\+447722123456 attempt 1: Busy \(3\) -> retry #2 at /,
    );
    expect(result.stdout).toMatch(/StageReached .*\+447722734716 attempt 1: OptOut \(14\)/);
    expect(result.stdout).toContain('"Test Campaign" 2030-10-01 09:00-12:00 Europe/London');
    expect(lines.at(-1)).toBe(`${lines.length - 2} events`);
  });

  it("--json prints the events themselves", async () => {
    const result = await runCli(["history", "audited", "--client", "acme", "--json"], env);
    expect(result.code).toBe(0);
    const events = JSON.parse(result.stdout) as {
      revision: number;
      type: string;
      metadata: Record<string, unknown>;
    }[];
    const viaClient = await acme.getCampaignHistory({ id: "audited" });
    expect(events).toEqual(viaClient.events);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
  });

  it("is a 404 for another client's campaign, and a usage error without --client", async () => {
    const other = await runCli(["history", "audited", "--client", "globex"], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("404 not_found");
    const usage = await runCli(["history", "audited"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--client <c> is required");
  });
});

describe("campaigns state", () => {
  it("prints the campaign as it stood at a revision or a time", { timeout: 90_000 }, async () => {
    const atCreation = await runCli(
      ["state", "audited", "--client", "acme", "--revision", "1"],
      env,
    );
    expect(atCreation.code).toBe(0);
    const body = JSON.parse(atCreation.stdout);
    expect(body).toMatchObject({ id: "audited", name: "Test Campaign", status: "active" });
    expect(body.phoneNumbers).toHaveLength(2);

    const atNow = await runCli(["state", "audited", "--client", "acme", "--at", now()], env);
    expect(JSON.parse(atNow.stdout).status).toBe("paused");

    const before = await runCli(
      ["state", "audited", "--client", "acme", "--at", "2000-01-01T00:00:00Z"],
      env,
    );
    expect(before.code).toBe(1);
    expect(before.stderr).toContain("404 not_found");
    const neither = await runCli(["state", "audited", "--client", "acme"], env);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("give exactly one of --at <iso> or --revision <n>");
  });
});

describe("campaigns rebuild", () => {
  it(
    "rebuilds a lost read model from the log, with a progress bar and the rate",
    { timeout: 60_000 },
    async () => {
      // Numbers of its own: an opted-out number elsewhere in this file is on acme's exclusion list.
      const created = await acme.createCampaign({
        ...seedPostBody(),
        id: "rebuilt",
        phoneNumbers: [{ number: "07722900011" }, { number: "07722900012" }],
      });
      await acme.listCampaigns({ minPosition: created.position });
      const nc = await connect({ servers: gw.nats.url });
      try {
        const readModels = await KvReadModels.open(nc);
        await readModels.put("summaries", "acme.rebuilt", undefined);
        expect((await acme.listCampaigns()).map((c) => c.id)).not.toContain("rebuilt");

        const result = await runCli(["rebuild", "summary"], {
          ...env,
          DATA_DIR: gw.svc.dataDir,
          EVENT_STORE: "sqlite",
        });
        expect(result.stderr).not.toMatch(/campaigns:/);
        expect(result.code).toBe(0);
        expect(result.stderr).toMatch(/rebuild summary \[#+\] 100% .* events\/s/);
        expect(result.stdout).toMatch(
          /^rebuilt summary: [\d,]+ campaign events up to position \d+ in [\d.]+ s\n$/,
        );

        const summary = (await acme.listCampaigns()).find((c) => c.id === "rebuilt");
        expect(summary).toMatchObject({
          id: "rebuilt",
          name: "Test Campaign",
          phoneNumberCount: 2,
        });
        // Its own checkpoint key is gone; the service's is untouched.
        expect(await readModels.keys("checkpoints", "rebuild-")).toEqual([]);
      } finally {
        await nc.close();
      }
    },
  );

  it("refuses an unknown projection", async () => {
    const result = await runCli(["rebuild", "everything"], { ...env, DATA_DIR: gw.svc.dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown projection "everything"; one of: summary, detail, statistics',
    );
  });
});

describe("campaigns serve and usage", () => {
  it(
    "serve runs the service with its REST gateway until SIGTERM",
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), "campaigns-serve-"));
      const ownNats = await startNatsServer(); // its own, so that it joins no other service's queue group
      const run = startCli(["serve"], {
        NATS_URL: ownNats.url,
        DATA_DIR: dataDir,
        HTTP_PORT: String(port),
        API_KEYS: "k:acme",
        LOG_LEVEL: "info",
      });
      try {
        let answered = false;
        for (const deadline = Date.now() + 30_000; !answered && Date.now() < deadline;) {
          const answer = await fetch(`http://127.0.0.1:${port}/api/campaign/voice`, {
            headers: { "x-api-key": "k" },
          }).catch(() => undefined);
          if (answer?.status === 200) {
            expect(await answer.json()).toEqual([]);
            answered = true;
          } else await new Promise((r) => setTimeout(r, 100));
        }
        expect(answered).toBe(true);
        run.child.kill("SIGTERM"); // as a supervisor stops it
        const exit = await run;
        expect(exit.code).toBe(0);
        expect(exit.stdout).toContain("campaign service stopped");
      } finally {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL"); // never left running by a failed assertion
        await ownNats.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it("prints the usage for no command (exit 2) and refuses unknown commands and options", async () => {
    const none = await runCli([], env);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("usage: campaigns <command>");
    const unknown = await runCli(["frobnicate"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOption = await runCli(["history", "x", "--client", "acme", "--colour"], env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("--colour");
  });
});
