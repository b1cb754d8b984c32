import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { startNatsServer, type RunningNatsServer } from "../support/nats-server.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstance,
  type TestInstance,
} from "../support/instance.js";

let nats: RunningNatsServer;
let svc: TestInstance;
const dir = mkdtempSync(join(tmpdir(), "campaigns-exclusions-"));
beforeAll(async () => {
  nats = await startNatsServer();
  svc = await startTestInstance(nats.url);
  await registerDefaults(svc.client("acme"));
}, 60_000);
afterAll(async () => {
  await svc?.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const io = () => {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (s: string) => void (out.stdout += s) },
      stderr: { write: (s: string) => void (out.stderr += s) },
      env: { NATS_URL: nats.url },
    },
  };
};
const csv = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};
const mobile = (i: number) => `07722${String(i).padStart(6, "0")}`;

describe("campaigns exclusions import", () => {
  it("adds a 12,000-row file to the client's list in chunks with progress; a rerun writes nothing twice", async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) =>
      i === 4 ? "not a number,complaint," : `${mobile(i)},complaint,`,
    );
    const file = csv("list.csv", ["number,reason,expiresAt", ...rows]);
    const first = io();
    expect(
      await runCli(["exclusions", "import", file, "--client", "acme", "--json"], first.io),
    ).toBe(0);
    const summary = JSON.parse(first.out.stdout);
    expect(summary).toMatchObject({
      rows: 12_000,
      chunks: 3,
      added: 11_999,
      alreadyExcluded: 0,
      invalid: [{ line: 6, number: "not a number" }],
    });
    expect(first.out.stderr).toMatch(/chunk 3\/3 acknowledged/);

    const again = io();
    expect(
      await runCli(["exclusions", "import", file, "--client", "acme", "--json"], again.io),
    ).toBe(0);
    expect(JSON.parse(again.out.stdout)).toMatchObject({ added: 11_999 }); // the first replies, replayed
    // The same numbers in another file are already on the list: nothing was added twice.
    const copy = csv("copy.csv", ["number", ...rows.slice(0, 10)]);
    const third = io();
    expect(
      await runCli(["exclusions", "import", copy, "--client", "acme", "--json"], third.io),
    ).toBe(0);
    expect(JSON.parse(third.out.stdout)).toMatchObject({ added: 0, alreadyExcluded: 9 });
    expect(
      (await svc.client("acme").listExclusions({ limit: 3 })).numbers.map((n) => n.e164),
    ).toEqual(["+447722000000", "+447722000001", "+447722000002"]);
  }, 120_000);

  it("with --campaign, fills that campaign's list and completes its numbers on it", async () => {
    const acme = svc.client("acme");
    const { reply } = await acme.createCampaign({
      ...seedPostBody(),
      phoneNumbers: [{ number: "07733000001" }, { number: "07733000002" }],
    });
    const file = csv("campaign.csv", ["number,expiresAt", "07733000001,2099-01-01T00:00:00Z"]);
    const run = io();
    expect(
      await runCli(
        ["exclusions", "import", file, "--client", "acme", "--campaign", reply.id],
        run.io,
      ),
    ).toBe(0);
    expect(run.out.stdout).toMatch(/added: +1/);
    expect((await acme.listExclusions({ campaignId: reply.id })).numbers).toMatchObject([
      { e164: "+447733000001", expiresAt: "2099-01-01T00:00:00.000Z" },
    ]);
    expect(await acme.getDialQueue({ id: reply.id })).toMatchObject({ excluded: 1 });
  }, 60_000);
});
