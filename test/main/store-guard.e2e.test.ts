/**
 * One event store per deployment: instances on one NATS share a queue group,
 * so an instance with another store would answer from the wrong data. The
 * second one refuses to start, naming both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNatsServer, startNatsServer } from "../support/nats-server.js";
import { registerDefaults, startTestInstance, type TestInstance } from "../support/instance.js";

let nats: RunningNatsServer;
const running: TestInstance[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  for (const svc of running.reverse()) await svc.stop();
  await nats?.stop();
});

describe("one store per deployment", () => {
  it("refuses to start an instance whose SQLite file is not the one the running instance uses, naming both", async () => {
    const first = await startTestInstance(nats.url, { EVENT_STORE: "sqlite" });
    running.push(first);
    await registerDefaults(first.client("acme"));

    const refusal = await startTestInstance(nats.url, { EVENT_STORE: "sqlite" }).then(
      (second) => {
        running.push(second);
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(Error);
    const message = (refusal as Error).message;
    expect(message).toContain(`${first.dataDir}/events.sqlite`); // theirs
    expect(message).toMatch(
      /this instance's event store is sqlite \/\S+\/events\.sqlite \(id [0-9a-f-]{36}\)/,
    ); // mine
    expect(message.match(/id [0-9a-f-]{36}/g)).toHaveLength(2);

    // The first instance keeps serving, and only it answers.
    await expect(first.client("acme").listCampaigns({})).resolves.toEqual([]);
  });

  it("lets another instance on the same store join", async () => {
    const first = running[0]!;
    const second = await startTestInstance(nats.url, {
      EVENT_STORE: "sqlite",
      DATA_DIR: first.dataDir,
    });
    running.push(second);
    expect(second.instance.projections).toBeDefined();
  });
});
