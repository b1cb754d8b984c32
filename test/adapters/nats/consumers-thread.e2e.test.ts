/**
 * CONSUMERS=thread: the projections and the relay run in a worker thread of
 * the instance, off the thread that answers commands. What a user sees is
 * the same: read models answer minPosition, events are relayed, and the
 * thread stops with the instance, handing the lease on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../support/until.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstanceWithNats,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;
beforeAll(async () => {
  svc = await startTestInstanceWithNats({
    CONSUMERS: "thread",
    PROJECTIONS_LEASE_MS: "1000",
    LOG_LEVEL: "silent",
  });
});
afterAll(async () => {
  await svc?.stop();
});

describe("an instance with its consumers in a thread of their own", () => {
  it("answers commands on its main thread while the thread projects and relays their events", async () => {
    const relayed: string[] = [];
    const subscription = svc.nc.subscribe("campaigns.acme.events.>", {
      callback: (_err, msg) => void relayed.push(msg.subject),
    });
    const acme = svc.client("acme");
    await registerDefaults(acme);
    const { position } = await acme.createCampaign({ ...seedPostBody(), id: "t-1" });
    // The main thread holds no lease: it follows the thread's checkpoint for minPosition.
    expect(svc.instance.projections.running).toBe(false);
    expect(await acme.getCampaign({ id: "t-1", minPosition: position })).toMatchObject({
      id: "t-1",
      name: seedPostBody().name,
    });
    const recorded = await acme.recordAttemptOutcome({
      id: "t-1",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: new Date().toISOString(),
    });
    expect(
      await acme.getCampaignStatistics({ id: "t-1", minPosition: recorded.position }),
    ).toMatchObject({ attemptsRecorded: 1 });
    await until(() => relayed.includes("campaigns.acme.events.t-1.AttemptOutcomeRecorded"));
    subscription.unsubscribe();
    expect(relayed).toContain("campaigns.acme.events.t-1.CampaignCreated");
  });
});
