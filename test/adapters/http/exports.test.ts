/**
 * The CSV exports end to end: REST `results.csv` and `attempts.csv` read back
 * through a real CSV parser, row counts on a 20,000-number campaign, tenant
 * isolation, and `campaigns export` over NATS giving the same file.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CampaignsClient } from "../../../src/client/campaigns-client.js";
import { runCli } from "../../support/cli.js";
import { API_KEYS, type Gateway, http, startGatewayWithDefaults } from "../../support/gateway.js";
import { seedPostBody } from "../../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;
let position: bigint;
const tricky = 'Smith, "Jo"\nsecond line, and more';
const t = (minutes: number) =>
  new Date(Date.parse("2026-06-01T09:00:00Z") + minutes * 60_000).toISOString();
const LARGE = 20_000;
const large = (i: number) => `07723${String(i).padStart(6, "0")}`;

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme"]);
  acme = gw.svc.client("acme");
  await acme.createCampaign({
    ...seedPostBody(),
    id: "csv",
    phoneNumbers: [
      { number: "07722123456", name: tricky },
      { number: "07722734716", name: "Dave" },
    ],
  });
  await acme.recordStageReached({
    id: "csv",
    number: "07722123456",
    attemptNumber: 1,
    stage: 1,
    occurredAt: t(0),
  });
  await acme.recordAttemptOutcome({
    id: "csv",
    number: "07722123456",
    attemptNumber: 1,
    outcome: 3,
    occurredAt: t(1),
  });
  await acme.recordStageReached({
    id: "csv",
    number: "07722123456",
    attemptNumber: 1,
    stage: 3,
    occurredAt: t(2),
  });
  position = (
    await acme.recordAttemptOutcome({
      id: "csv",
      number: "07722123456",
      attemptNumber: 2,
      outcome: 1,
      occurredAt: t(90),
    })
  ).position;

  await acme.createCampaign({
    ...seedPostBody(),
    id: "large",
    phoneNumbers: [{ number: large(0), name: "first" }],
  });
  for (let start = 1; start < LARGE; start += 10_000) {
    const phoneNumbers = Array.from({ length: Math.min(10_000, LARGE - start) }, (_, i) => ({
      number: large(start + i),
      name: `Customer ${start + i}, Ltd`,
    }));
    await acme.addPhoneNumbers({ id: "large", phoneNumbers });
  }
  for (let i = 0; i < 50; i++)
    position = (
      await acme.recordAttemptOutcome({
        id: "large",
        number: large(i * 397),
        attemptNumber: 1,
        outcome: 6,
        occurredAt: t(i),
      })
    ).position;
}, 120_000);
afterAll(async () => {
  await gw?.stop();
});

const csvOf = async (path: string, key: string = API_KEYS.acme) => {
  const result = await http(gw.base, "GET", path, {
    key,
    headers: { "min-position": position.toString() },
  });
  return { ...result, rows: result.status === 200 ? (parse(result.text) as string[][]) : [] };
};

describe("results.csv and attempts.csv", () => {
  it("results.csv has a row per number; names with commas, quotes and line breaks survive a real CSV parser", async () => {
    const results = await csvOf("/api/campaign/voice/csv/results.csv");
    expect(results.status).toBe(200);
    expect(results.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(results.headers.get("content-disposition")).toBe(
      'attachment; filename="csv-results.csv"',
    );
    expect(results.rows).toEqual([
      [
        "number",
        "e164",
        "name",
        "attempts",
        "lastOutcome",
        "lastOutcomeName",
        "result",
        "stages",
        "lastAttemptAt",
      ],
      [
        "07722123456",
        "+447722123456",
        tricky,
        "2",
        "1",
        "Answered",
        "contacted",
        "CorrectCallee;CallDeclined",
        t(90),
      ],
      ["07722734716", "+447722734716", "Dave", "0", "", "", "pending", "", ""],
    ]);
  });

  it("attempts.csv has a row per attempt with the stages reached in it", async () => {
    const attempts = await csvOf("/api/campaigns/voice/csv/attempts.csv");
    expect(attempts.rows).toEqual([
      ["number", "e164", "attemptNumber", "outcome", "outcomeName", "occurredAt", "stages"],
      ["07722123456", "+447722123456", "1", "3", "Busy", t(1), "CorrectCallee;CallDeclined"],
      ["07722123456", "+447722123456", "2", "1", "Answered", t(90), ""],
    ]);
  });

  it(`streams a ${LARGE.toLocaleString("en-GB")}-number campaign: every number once, in order, and every attempt`, async () => {
    const results = await csvOf("/api/campaign/voice/large/results.csv");
    expect(results.rows).toHaveLength(LARGE + 1);
    expect(new Set(results.rows.slice(1).map((row) => row[0])).size).toBe(LARGE);
    expect(results.rows[LARGE]).toEqual([
      large(LARGE - 1),
      `+447723${String(LARGE - 1).padStart(6, "0")}`,
      `Customer ${LARGE - 1}, Ltd`,
      "0",
      "",
      "",
      "pending",
      "",
      "",
    ]);
    expect(results.rows.filter((row) => row[3] === "1")).toHaveLength(50);
    const attempts = await csvOf("/api/campaign/voice/large/attempts.csv");
    expect(attempts.rows.slice(1).map((row) => row[0])).toEqual(
      Array.from({ length: 50 }, (_, i) => large(i * 397)),
    );
  });

  it("is a 404 for another client's campaign or a missing one, and a 401 without a key", async () => {
    for (const kind of ["results", "attempts"]) {
      for (const base of ["/api/campaign/voice", "/api/campaigns/voice"]) {
        const other = await csvOf(`${base}/csv/${kind}.csv`, API_KEYS.globex);
        expect(other.status).toBe(404);
        expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        const missing = await csvOf(`${base}/nothing/${kind}.csv`, API_KEYS.globex);
        expect(other.json.detail).toBe(missing.json.detail.replace("nothing", "csv"));
        const anonymous = await http(gw.base, "GET", `${base}/csv/${kind}.csv`);
        expect(anonymous.status).toBe(401);
      }
    }
  });
});

describe("formula injection (CSV cells a spreadsheet would run)", () => {
  const HYPERLINK = '=HYPERLINK("http://evil.example/","07723170099")';
  const formulas = [HYPERLINK, "+44 call now", "-2+3", "@SUM(A1:A9)", "\tTabbed", "\rReturned"];

  it("a number written as a formula is refused, never searched for a number inside it", async () => {
    const refused = await http(gw.base, "POST", "/api/campaigns/voice", {
      key: API_KEYS.acme,
      body: { ...seedPostBody(), id: "hyperlink", phoneNumbers: [{ number: HYPERLINK }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.details).toEqual([
      expect.objectContaining({ index: 0, number: HYPERLINK, reason: "not a phone number" }),
    ]);
    const excluded = await http(gw.base, "POST", "/api/exclusions", {
      key: API_KEYS.acme,
      body: { numbers: [{ number: HYPERLINK }] },
    });
    expect(excluded.json).toEqual({
      added: 0,
      alreadyExcluded: 0,
      invalid: [{ index: 0, number: HYPERLINK, reason: "not a phone number" }],
    });
  });

  it("names beginning with = + - @, a tab or a carriage return get a leading ' in both CSVs, read back with csv-parse", async () => {
    const numbers = formulas.map((name, i) => ({
      number: `07724${String(i).padStart(6, "0")}`,
      name,
    }));
    await acme.createCampaign({
      ...seedPostBody(),
      id: "formulas",
      phoneNumbers: [...numbers, { number: "07724999999", name: "Plain - name" }],
    });
    let last = 0n;
    for (const { number } of numbers)
      last = (
        await acme.recordAttemptOutcome({
          id: "formulas",
          number,
          attemptNumber: 1,
          outcome: 1,
          occurredAt: t(5),
        })
      ).position;
    const read = async (kind: string) => {
      const result = await http(gw.base, "GET", `/api/campaign/voice/formulas/${kind}.csv`, {
        key: API_KEYS.acme,
        headers: { "min-position": last.toString() },
      });
      return parse(result.text) as string[][];
    };
    const results = await read("results");
    expect(results.slice(1).map((row) => row[2])).toEqual([
      ...formulas.map((name) => `'${name}`),
      "Plain - name",
    ]);
    const attempts = await read("attempts");
    expect(attempts).toHaveLength(formulas.length + 1);
    // No cell of either file starts a formula, but a number's own "+" (digits only, never a function).
    for (const row of [...results, ...attempts].slice(1))
      for (const cell of row.slice(2)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("campaigns export", () => {
  it(
    "writes the same CSV over NATS to a file, with progress, and refuses another client's campaign",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "campaigns-export-"));
      try {
        const file = join(dir, "large.csv");
        const run = await runCli(
          ["export", "large", "--client", "acme", "--kind", "results", "-o", file],
          { NATS_URL: gw.nats.url },
        );
        expect(run.stderr).not.toMatch(/campaigns:/);
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(/export results \[#+\] 100% 20\/20 pages/);
        expect(run.stderr).toContain(`wrote ${LARGE.toLocaleString("en-GB")} rows to ${file}`);
        expect(readFileSync(file, "utf8")).toBe(
          (await csvOf("/api/campaign/voice/large/results.csv")).text,
        );

        const stdout = await runCli(["export", "csv", "--client", "acme", "--kind", "attempts"], {
          NATS_URL: gw.nats.url,
        });
        expect(stdout.stdout).toBe((await csvOf("/api/campaign/voice/csv/attempts.csv")).text);

        const other = await runCli(["export", "csv", "--client", "globex", "--kind", "results"], {
          NATS_URL: gw.nats.url,
        });
        expect(other.code).toBe(1);
        expect(other.stderr).toContain("404 not_found");
        const usage = await runCli(["export", "csv", "--client", "acme"], {
          NATS_URL: gw.nats.url,
        });
        expect(usage.code).toBe(2);
        expect(usage.stderr).toContain("--kind results or --kind attempts is required");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
