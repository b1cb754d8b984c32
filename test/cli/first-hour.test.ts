/**
 * The first hour with the `campaigns` CLI, through the built bin (`node dist/cli/main.js`, as
 * `npx campaigns` runs it): help for every command, a campaign created from a JSON file or from
 * flags and a numbers CSV, list, show and stats, imports that fail or are interrupted saying
 * what was stored, an import into a missing campaign, a rebuild that will not make a store
 * where there is none, and a history that reads every event type in words.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CampaignsClient } from "../../src/client/campaigns-client.js";
import { campaignEventTypes } from "../../src/domain/index.js";
import { commands } from "../../src/cli/commands.js";
import { type BuiltPackage, buildPackage, repo } from "../support/built-package.js";
import { type CliRun, startCli, writeNumbersCsv } from "../support/cli.js";
import { type Gateway, startGateway } from "../support/gateway.js";
import { registerDefaults, seedPostBody, startTestInstance } from "../support/instance.js";
import { startNatsServer } from "../support/nats-server.js";

let built: BuiltPackage;
let gw: Gateway;
let acme: CampaignsClient;
let env: Record<string, string>;
let dir: string;
const campaigns = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> =>
  startCli(args, { ...env, ...extra }, undefined, built.bin);
const londonDate = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString("en-CA", {
    timeZone: "Europe/London",
  });

beforeAll(async () => {
  built = buildPackage();
  gw = await startGateway();
  acme = gw.svc.client("acme");
  await registerDefaults(acme);
  env = { NATS_URL: gw.nats.url };
  dir = mkdtempSync(join(tmpdir(), "first-hour-"));
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  built?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("help", () => {
  it("answers --help for every command, in its own words, never node's parser's", async () => {
    for (const command of commands) {
      const run = await campaigns([...command.name.split(" "), "--help"]);
      expect(run.code, command.name).toBe(0);
      expect(run.stdout.split("\n")[0]).toBe(`usage: campaigns ${command.synopsis}`);
      expect(run.stderr, command.name).toBe("");
    }
    const overview = await campaigns(["--help"]);
    expect(overview.code).toBe(0);
    for (const command of commands) expect(overview.stdout).toContain(command.synopsis);
    const bad = await campaigns(["import", "x.csv", "--colour"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe(
      "campaigns import: unknown option --colour (options: --client, --json, --campaign)",
    );
    const noValue = await campaigns(["list", "--client"]);
    expect(noValue.stderr.split("\n")[0]).toBe("campaigns list: --client needs a value");
    for (const run of [bad, noValue])
      expect(run.stderr).not.toMatch(/positional argument|ERR_PARSE_ARGS|TypeError/);
  });
});

describe("create, list, show, stats", () => {
  it("creates from the example JSON file, once however often it is run", async () => {
    const file = join(repo, "examples/create-campaign.json");
    const first = await campaigns(["create", "--client", "acme", "--file", file]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const id = /^created campaign (\S+) "Spring arrears" for client acme: 2 numbers\n/.exec(
      first.stdout,
    )?.[1];
    expect(id).toBeDefined();
    expect(first.stdout).toContain(`campaigns show ${id} --client acme`);
    const again = await campaigns(["create", "--client", "acme", "--file", file]);
    expect(again.stdout).toBe(first.stdout);
    const list = await campaigns(["list", "--client", "acme", "--json"]);
    expect(JSON.parse(list.stdout).filter((c: { id: string }) => c.id === id)).toHaveLength(1);
  });

  it("creates from flags and a numbers CSV, then lists, shows and counts it", async () => {
    const created = await campaigns([
      "create",
      "--client",
      "acme",
      "--id",
      "flags-1",
      "--name",
      "Renewals, north",
      "--start-date",
      "2030-10-01",
      "--start-time",
      "09:00",
      "--finish-time",
      "17:00",
      "--call-flow",
      "1",
      "--cli",
      "1",
      "--attempts",
      "15,60",
      "--numbers",
      join(repo, "examples/numbers.csv"),
    ]);
    expect(created.stderr).toBe("");
    expect(created.stdout.split("\n")[0]).toBe(
      'created campaign flags-1 "Renewals, north" for client acme: 5 numbers',
    );
    await acme.recordAttemptOutcome({
      id: "flags-1",
      number: "07722100001",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await acme.recordAttemptOutcome({
      id: "flags-1",
      number: "07722100002",
      attemptNumber: 1,
      outcome: 6,
      occurredAt: new Date(Date.now() - 30_000).toISOString(),
    });
    await acme.listCampaigns({
      minPosition: (await acme.pauseCampaign({ id: "flags-1" })).position,
    });

    const list = await campaigns(["list", "--client", "acme"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID +NAME +STATUS +NUMBERS +STARTS +TIME ZONE$/);
    expect(list.stdout).toMatch(
      /\nflags-1 +Renewals, north +paused +5 +2030-10-01 09:00-17:00 +Europe\/London\n/,
    );

    const show = await campaigns(["show", "flags-1", "--client", "acme"]);
    expect(show.stdout.split("\n")[0]).toBe("Renewals, north (flags-1), client acme: paused");
    expect(show.stdout).toContain("attempts:      2 (waits after each: 15, 60 minutes)");
    expect(show.stdout).toMatch(/07722100001 +Ann +1 +contacted\n/);
    expect(show.stdout).toMatch(/07722100002 +Bob +1 +attempt 2 due /);
    expect(show.stdout).toMatch(/07722100003 +Cat +0 +first attempt pending\n/);

    const stats = await campaigns(["stats", "flags-1", "--client", "acme"]);
    expect(stats.code).toBe(0);
    const lines = stats.stdout.split("\n");
    expect(lines[0]).toBe("Renewals, north (flags-1): 5 numbers, 20.0% done");
    expect(stats.stdout).toContain("pending 4 (80.0%), contacted 1 (20.0%)");
    expect(stats.stdout).toContain("answer rate:  50.0%");
    expect(stats.stdout).toContain("contact rate: 50.0% (1 of 2 numbers tried were answered)");
    expect(stats.stdout).toContain("outcomes:     Answered 1, No answer 1\n");
    expect(stats.stdout).toMatch(/dial queue: +due now 0, claimed 0, waiting for a calling window/);
  });

  it("adds numbers beyond one command's 10,000 after the create, and says what is missing", async () => {
    const file = join(dir, "big.csv");
    writeNumbersCsv(file, 12_000);
    const big = await campaigns([
      "create",
      "--client",
      "acme",
      "--id",
      "big-1",
      "--file",
      join(repo, "examples/create-campaign.json"),
      "--numbers",
      file,
    ]);
    expect(big.stderr).toMatch(/chunk 2\/2 acknowledged/);
    expect(big.stdout.split("\n")[0]).toBe(
      'created campaign big-1 "Spring arrears" for client acme: 12,000 numbers',
    );
    const missing = await campaigns(["create", "--client", "acme", "--name", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe(
      "campaigns create: a campaign needs --start-date, --start-time, --finish-time, --call-flow, --cli, --numbers (or --file with the seed's POST body)",
    );
  });
});

describe("import", () => {
  it("fails as such into a campaign that does not exist: nothing imported, no summary", async () => {
    const file = join(dir, "small.csv");
    writeNumbersCsv(file, 10);
    const run = await campaigns(["import", file, "--client", "acme", "--campaign", "nope"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "campaigns import: campaign nope does not exist for client acme: nothing was imported; create it first (campaigns create --help) or check --campaign and --client\n",
    );
  });

  it(
    "interrupted with Ctrl-C, says what was stored and that rerunning finishes it",
    { timeout: 120_000 },
    async () => {
      await acme.createCampaign({ ...seedPostBody(), id: "ctrl-c" });
      const file = join(dir, "ctrl-c.csv");
      writeNumbersCsv(file, 25_000);
      const args = ["import", file, "--client", "acme", "--campaign", "ctrl-c"];
      const stopped = await startCli(
        args,
        env,
        (stderr, child) => {
          if (/chunk 1\/\d+ acknowledged/.test(stderr) && !child.killed) child.kill("SIGINT");
        },
        built.bin,
      );
      expect(stopped.code).toBe(130);
      expect(stopped.stdout).toBe("");
      expect(stopped.stderr).toMatch(
        /campaigns import: interrupted while chunk [2-4]\/4 was being sent\nstored so far: [1-3] of 4 chunks of .*ctrl-c\.csv in campaign ctrl-c \([\d,]+ numbers added by this run\)\nrerun the same command to finish: chunks already stored are recognised by their Command-Id and add nothing twice\n$/,
      );
      const rerun = await campaigns([...args, "--json"]);
      expect(rerun.code).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ rows: 25_000, chunksSent: 4 });
      await expect
        .poll(
          async () => (await acme.listCampaigns()).find((c) => c.id === "ctrl-c")?.phoneNumberCount,
        )
        .toBe(2 + 25_000);
    },
  );
});

describe("import when the service stops", () => {
  it(
    "says what was stored and that rerunning finishes it; the rerun does",
    { timeout: 120_000 },
    async () => {
      const nats = await startNatsServer();
      const data = mkdtempSync(join(tmpdir(), "stopped-"));
      let service = await startTestInstance(nats.url, { DATA_DIR: data });
      try {
        await registerDefaults(service.client("acme"));
        await service.client("acme").createCampaign({ ...seedPostBody(), id: "stopped" });
        const file = join(dir, "stopped.csv");
        writeNumbersCsv(file, 25_000);
        const args = ["import", file, "--client", "acme", "--campaign", "stopped"];
        let stopping: Promise<void> | undefined;
        const failed = await startCli(
          args,
          { NATS_URL: nats.url },
          (stderr) => {
            if (/chunk 1\/\d+ acknowledged/.test(stderr)) stopping ??= service.stop();
          },
          built.bin,
        );
        await stopping;
        expect(failed.code).toBe(1);
        expect(failed.stdout).toBe("");
        expect(failed.stderr).toMatch(
          /campaigns import: chunk [2-4]\/4 failed: .*\nstored so far: [1-3] of 4 chunks of .*stopped\.csv in campaign stopped \([\d,]+ numbers added by this run\)\nrerun the same command to finish: chunks already stored are recognised by their Command-Id and add nothing twice\n$/,
        );
        service = await startTestInstance(nats.url, { DATA_DIR: data });
        const rerun = await startCli(
          [...args, "--json"],
          { NATS_URL: nats.url },
          undefined,
          built.bin,
        );
        expect(rerun.code).toBe(0);
        expect(JSON.parse(rerun.stdout)).toMatchObject({
          rows: 25_000,
          chunksSent: 4,
          duplicates: [],
        });
      } finally {
        await service.stop().catch(() => undefined);
        await nats.stop();
        rmSync(data, { recursive: true, force: true });
      }
    },
  );
});

describe("rebuild", () => {
  it("refuses a DATA_DIR that holds no store, and makes none, unless --create", async () => {
    const empty = mkdtempSync(join(tmpdir(), "no-store-"));
    try {
      const refused = await campaigns(["rebuild", "summary"], {
        DATA_DIR: empty,
        EVENT_STORE: "sqlite",
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr.split("\n")[0]).toBe(
        `campaigns rebuild: no event store in DATA_DIR=${empty} (${join(empty, "events.sqlite")} does not exist); set DATA_DIR to the service's data folder (its start-up line names the store), or pass --create to start an empty one`,
      );
      expect(existsSync(join(empty, "events.sqlite"))).toBe(false);
      const created = await campaigns(["rebuild", "summary", "--create"], {
        DATA_DIR: empty,
        EVENT_STORE: "sqlite",
      });
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^rebuilt summary: 0 campaign events/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("history", () => {
  it("prints every event type in words: no raw or cut-off JSON", { timeout: 60_000 }, async () => {
    // A campaign whose window is open now, so that attempts can be claimed.
    const id = "audited-all";
    await acme.addExclusions({ numbers: [{ number: "07722500009", reason: "complaint" }] });
    await acme.createCampaign({
      ...seedPostBody(),
      id,
      startDate: londonDate(0),
      startTime: "00:00",
      finishTime: "23:59",
      runoverDays: [{ date: londonDate(1), startTime: "00:00", finishTime: "23:59" }],
      smsOnBusy: 1,
      ignoreInvalidPhoneNumbers: true,
      phoneNumbers: [
        { number: "07722500001", name: "Ann" },
        { number: "07722500002" },
        { number: "07722500003" },
        { number: "07722500004" },
        { number: "07722500009" }, // on the client's list: skipped
        { number: "12345" }, // ignored
      ],
    });
    await acme.addPhoneNumbers({ id, phoneNumbers: [{ number: "07722500005" }] });
    const at = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    await acme.recordAttemptOutcome({
      id,
      number: "07722500001",
      attemptNumber: 1,
      outcome: 3,
      occurredAt: at(60),
    }); // Busy: SMS
    await acme.recordStageReached({
      id,
      number: "07722500002",
      attemptNumber: 1,
      stage: 14,
      occurredAt: at(50),
    }); // opt-out
    await acme.addExclusions({ campaignId: id, numbers: [{ number: "07722500003" }] }); // completes it
    await acme.removeExclusions({ campaignId: id, numbers: ["07722500003"] });
    await acme.addExclusions({ numbers: [{ number: "07722500005" }] }); // the client's list changed
    const claimed = await acme.claimDueAttempts({ id, limit: 1 });
    const claim = claimed.reply.claims[0]!;
    await acme.releaseClaims({ id, claims: [{ number: claim.number, claimId: claim.claimId }] });
    await acme.pauseCampaign({ id });
    await acme.resumeCampaign({ id });
    await acme.updateCampaign({ ...seedPostBody(), id, phoneNumbers: [{ number: "07722500001" }] });
    await acme.deleteCampaign({ id });

    const run = await campaigns(["history", id, "--client", "acme"]);
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split("\n").slice(1, -1);
    const types = new Set(rows.map((row) => row.split(/\s+/)[3]));
    expect([...types].sort()).toEqual([...campaignEventTypes].sort()); // every type, so every describer ran
    for (const row of rows) {
      expect(row, row).not.toMatch(/[{}]|\.\.\.$|--json shows it/);
    }
    const line = (type: string) => rows.find((row) => row.split(/\s+/)[3] === type)!;
    expect(line("AttemptsClaimed")).toMatch(/1 attempt claimed until \S+: \+44/);
    expect(line("ExcludedPhoneNumbersSkipped")).toContain(
      "1 number left out, on an exclusion list: +447722500009",
    );
    expect(line("ExclusionsAdded")).toContain(
      "+1 number on the campaign's exclusion list: +447722500003",
    );
    expect(line("NumbersExcluded")).toMatch(
      /1 number completed as excluded by the campaign's list: /,
    );
  });
});
