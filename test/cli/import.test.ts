/**
 * `campaigns import`: a 25,000-row CSV with invalid and duplicate rows,
 * interrupted (the process killed once the first chunk is acknowledged) and
 * run again: everything is added exactly once, and the summary maps the
 * service's reply indexes back to the file's line numbers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory } from "../../src/cli/history.js";
import type { CampaignsClient } from "../../src/client/campaigns-client.js";
import { runCli, startCli, writeNumbersCsv } from "../support/cli.js";
import { type Gateway, startGatewayWithDefaults } from "../support/gateway.js";
import { seedPostBody } from "../support/instance.js";

let gw: Gateway;
let acme: CampaignsClient;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  gw = await startGatewayWithDefaults(["acme"]);
  acme = gw.svc.client("acme");
  dir = mkdtempSync(join(tmpdir(), "campaigns-import-"));
  env = { NATS_URL: gw.nats.url };
});
afterAll(async () => {
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const numberOf = (row: number) => `0771${String(2_000_000 + row).padStart(7, "0")}`;

/** Data row -> CSV line (data row r is file line r + 1: the header is line 1). */
const replaced = new Map<number, string>([
  [3, "12345,too short"],
  [10, ",no number at all"],
  [20, `${numberOf(5)},same as row 5`],
  [500, "not-a-phone,letters"],
  [12_000, `${numberOf(11_000)},same as row 11000`],
  [24_000, "999,late invalid"],
]);
const EXPECTED_INVALID_LINES = [4, 11, 501, 24_001];
const EXPECTED_DUPLICATE_LINES = [21, 12_001];
const EXPECTED_ADDED = 25_000 - EXPECTED_INVALID_LINES.length - EXPECTED_DUPLICATE_LINES.length;

async function numbersIn(campaignId: string): Promise<{ count: number; added: number }> {
  const events = await readHistory(acme, campaignId);
  const list = await acme.listCampaigns({ minPosition: events.at(-1)!.position });
  return {
    count: list.find((c) => c.id === campaignId)!.phoneNumberCount,
    added: events.filter((e) => e.type === "PhoneNumbersAdded").length,
  };
}

type Summary = {
  rows: number;
  chunks: number;
  added: number;
  duplicates: { line: number; number: string }[];
  invalid: { line: number; number: string; reason: string }[];
};

describe("campaigns import", () => {
  it(
    "imports 25,000 rows in chunks; killed after the first chunk and rerun, it adds nothing twice",
    { timeout: 120_000 },
    async () => {
      await acme.createCampaign({ ...seedPostBody(), id: "bulk" });
      const file = join(dir, "numbers.csv");
      writeNumbersCsv(file, 25_000, replaced);
      const args = ["import", file, "--client", "acme", "--campaign", "bulk", "--json"];

      // 1. Interrupted: SIGKILL as soon as the first chunk is acknowledged.
      const killed = await startCli(args, env, (stderr, child) => {
        if (/chunk 1\/\d+ acknowledged/.test(stderr) && child.exitCode === null)
          child.kill("SIGKILL");
      });
      expect(killed.signal).toBe("SIGKILL");
      expect(killed.stderr).toMatch(
        /import \[#+-+\] +\d+% [\d,]+\/[\d,]+ numbers [\d,]+ numbers\/s chunk 1\/\d+ acknowledged/,
      );
      const afterKill = await numbersIn("bulk");
      // The create's own PhoneNumbersAdded, chunk 1, and at most the chunk in flight when the
      // signal landed.
      expect(afterKill.added).toBeGreaterThanOrEqual(2);
      expect(afterKill.added).toBeLessThanOrEqual(3);
      expect(afterKill.count).toBeLessThan(2 + EXPECTED_ADDED);

      // 2. Rerun to the end: the chunks already written are replayed by their Command-Id, the rest sent.
      const rerun = await runCli(args, env);
      expect(rerun.stderr).not.toMatch(/campaigns:/);
      expect(rerun.code).toBe(0);
      const summary = JSON.parse(rerun.stdout) as Summary;
      expect(summary.rows).toBe(25_000);
      expect(summary.chunks).toBeGreaterThanOrEqual(3); // at most 10,000 numbers and < 1 MiB per command
      expect(summary.added).toBe(EXPECTED_ADDED);
      expect(summary.invalid.map((i) => i.line)).toEqual(EXPECTED_INVALID_LINES);
      expect(summary.invalid.map((i) => i.number)).toEqual(["12345", "", "not-a-phone", "999"]);
      expect(summary.invalid.every((i) => i.reason.length > 0)).toBe(true);
      expect(summary.duplicates.map((d) => [d.line, d.number])).toEqual([
        [21, numberOf(5)],
        [12_001, numberOf(11_000)],
      ]);

      const afterRerun = await numbersIn("bulk");
      expect(afterRerun.count).toBe(2 + EXPECTED_ADDED); // the seed's two numbers plus the file's
      expect(afterRerun.added).toBe(1 + summary.chunks); // one PhoneNumbersAdded per chunk, none twice

      // The state of a campaign too big for one NATS reply is put back together from its pages.
      const state = await runCli(
        ["state", "bulk", "--client", "acme", "--at", new Date().toISOString()],
        env,
      );
      expect(state.code).toBe(0);
      const body = JSON.parse(state.stdout);
      expect(body.phoneNumbers).toHaveLength(2 + EXPECTED_ADDED);
      expect(body).not.toHaveProperty("phoneNumberPages");

      // 3. A third run changes nothing and reports the same.
      const again = await runCli(args, env);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual(summary);
      expect(await numbersIn("bulk")).toEqual(afterRerun);
    },
  );

  it(
    "prints a readable summary; a prefix imported first makes the full file's overlap duplicates, not additions",
    { timeout: 60_000 },
    async () => {
      await acme.createCampaign({ ...seedPostBody(), id: "prefix" });
      const prefix = join(dir, "prefix.csv");
      const full = join(dir, "full.csv");
      writeNumbersCsv(prefix, 1_000, new Map([[7, "123,bad"]]));
      writeNumbersCsv(full, 3_000, new Map([[7, "123,bad"]]));

      const first = await runCli(
        ["import", prefix, "--client", "acme", "--campaign", "prefix"],
        env,
      );
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("added:       999");
      expect(first.stdout).toContain('line 8: "123"');
      const second = await runCli(
        ["import", full, "--client", "acme", "--campaign", "prefix"],
        env,
      );
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/rows: +3,000 in 1 chunk/);
      expect(second.stdout).toContain("added:       2,000");
      expect(second.stdout).toContain("duplicates:  999");
      expect(second.stdout).toContain(`line 2: ${numberOf(1)} (+44${numberOf(1).slice(1)})`);
      expect((await numbersIn("prefix")).count).toBe(2 + 2_999);
    },
  );

  it(
    "fails clearly: an unknown campaign, a file without a number column, missing options",
    { timeout: 60_000 },
    async () => {
      const file = join(dir, "small.csv");
      writeNumbersCsv(file, 10);
      const unknown = await runCli(["import", file, "--client", "acme", "--campaign", "nope"], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toBe(""); // no summary: nothing was imported
      expect(unknown.stderr).toContain("campaign nope does not exist for client acme");
      expect(unknown.stderr).not.toContain("rerun the same command"); // a rerun would not help

      const noColumn = join(dir, "no-column.csv");
      writeFileSync(noColumn, "phone,name\n07712000001,x\n");
      const bad = await runCli(["import", noColumn, "--client", "acme", "--campaign", "bulk"], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('no "number" column');

      const missing = await runCli(["import", file, "--client", "acme"], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("--campaign <id> is required");
    },
  );
});
