/**
 * kill -9 of the service mid-stream: no acknowledged command is lost, and the
 * projections catch up after a restart without counting anything twice.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CampaignsClient } from "../../../src/client/campaigns-client.js";
import { connectedNatsServerForFile } from "../../support/nats-server.js";
import { e2eStoreEnv, registerDefaults, seedPostBody } from "../../support/instance.js";

const nats = connectedNatsServerForFile();
let storeEnv: Awaited<ReturnType<typeof e2eStoreEnv>>;
const dataDir = mkdtempSync(join(tmpdir(), "campaigns-crash-"));

beforeAll(async () => {
  storeEnv = await e2eStoreEnv(); // the store outlives the killed service
});
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL"); // never leave a service behind on failure
  await storeEnv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function startServiceProcess(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main/serve.ts"], {
    // A short lease: the restarted instance takes the projections over soon after the killed one
    // stopped renewing.
    env: {
      ...process.env,
      NATS_URL: nats.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      OPS_PORT: "",
      PROJECTIONS_LEASE_MS: "1500",
      ...storeEnv.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  return child;
}

async function untilServing(client: CampaignsClient): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.listCampaigns({}, { timeoutMs: 500 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

it("loses no acknowledged command to kill -9 and catches up without double counting", async () => {
  const client = new CampaignsClient(nats.nc, "crashco", 2000);
  const numbers = Array.from({ length: 300 }, (_, i) => `07724${String(i).padStart(6, "0")}`);
  let child = startServiceProcess();
  await untilServing(client);
  await registerDefaults(client);
  await client.createCampaign({
    id: "crash-1",
    ...seedPostBody(),
    phoneNumbers: numbers.map((number) => ({ number })),
  });

  // A stream of outcomes, 8 in flight; the service is killed part-way through.
  const acknowledged: string[] = [];
  const sentAt = new Map<string, string>();
  let next = 0;
  const sender = async () => {
    while (next < numbers.length) {
      const number = numbers[next++]!;
      sentAt.set(number, new Date().toISOString());
      try {
        await client.recordAttemptOutcome(
          { id: "crash-1", number, attemptNumber: 1, outcome: 6, occurredAt: sentAt.get(number)! },
          { commandId: `attempt-${number}`, timeoutMs: 1000 },
        );
        acknowledged.push(number);
      } catch {
        // not acknowledged: the caller would retry it with the same Command-Id
      }
    }
  };
  let sent = false;
  const senders = Promise.all(Array.from({ length: 8 }, sender)).finally(() => (sent = true));
  while (acknowledged.length < 60 && !sent) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGKILL");
  await senders;
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);

  child = startServiceProcess();
  try {
    await untilServing(client);
    const history = await client.getCampaignHistory({ id: "crash-1", limit: 1000 });
    const recorded = new Set(
      history.events
        .filter((e) => e.type === "AttemptOutcomeRecorded")
        .map((e) => (e.data as { e164: string }).e164),
    );
    for (const number of acknowledged) expect(recorded.has(`+44${number.slice(1)}`)).toBe(true);

    // Every caller retries what it sent, with the same Command-Id: a command that landed before the
    // kill answers its first reply; one that did not lands now. (Another body under the same id is
    // another command: 409.)
    for (const number of numbers)
      await client.recordAttemptOutcome(
        {
          id: "crash-1",
          number,
          attemptNumber: 1,
          outcome: 6,
          occurredAt: sentAt.get(number) ?? new Date().toISOString(),
        },
        { commandId: `attempt-${number}`, timeoutMs: 8000 },
      );
    const after = await client.getCampaignHistory({ id: "crash-1", limit: 1000 });
    const attempts = after.events.filter((e) => e.type === "AttemptOutcomeRecorded");
    expect(attempts).toHaveLength(numbers.length); // each number once: nothing written twice

    // Projections resume from their checkpoint and count each attempt once (minPosition may wait up
    // to 5 s).
    const head = after.events.at(-1)!.position;
    const statistics = (await client.getCampaignStatistics(
      { id: "crash-1", minPosition: head },
      { timeoutMs: 8000 },
    )) as { attemptsRecorded: number; numbers: { pending: number } };
    expect(statistics.attemptsRecorded).toBe(numbers.length);
    expect(statistics.numbers.pending).toBe(numbers.length);
    const detail = await client.getCampaign(
      { id: "crash-1", minPosition: head },
      { timeoutMs: 8000 },
    );
    expect(detail.phoneNumbers).toHaveLength(numbers.length);
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }
});
