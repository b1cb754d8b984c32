/**
 * A campaign stream an operator deleted for good (tombstoned) on EventStoreDB,
 * through the whole service: commands and queries on it are a 409 that a retry
 * meets again, never a 503 to retry forever, and everything else still works.
 * Always on the EventStoreDB protocol double (the embedded stores cannot delete a stream).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CampaignRequestError } from "../../../src/client/campaigns-client.js";
import { start, tombstone, type RunningDouble } from "../../support/eventstoredb-double.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstanceWithNats,
  type TestInstance,
} from "../../support/instance.js";

let double: RunningDouble;
let svc: TestInstance;

beforeAll(async () => {
  double = await start();
  svc = await startTestInstanceWithNats({
    EVENT_STORE: "eventstoredb",
    EVENTSTORE_CONNECTION_STRING: double.connectionString,
  });
  await registerDefaults(svc.client("acme"));
});
afterAll(async () => {
  await svc?.stop();
  await double?.stop();
});

const refusal = (attempt: Promise<unknown>): Promise<unknown> =>
  attempt.then(
    () => undefined,
    (e: unknown) => e,
  );

it("answers 409 to commands and queries on a tombstoned campaign stream, and keeps serving the others", async () => {
  const acme = svc.client("acme");
  await acme.createCampaign({ id: "gone-1", ...seedPostBody() });
  await tombstone(double.connectionString, "campaign-gone-1");

  for (const [name, attempt] of [
    ["pause-campaign", () => acme.pauseCampaign({ id: "gone-1" }, { commandId: "pause-gone-1" })],
    [
      "pause-campaign retried",
      () => acme.pauseCampaign({ id: "gone-1" }, { commandId: "pause-gone-1" }),
    ],
    ["get-campaign-history", () => acme.getCampaignHistory({ id: "gone-1" })],
  ] as const) {
    const error = await refusal(attempt());
    expect(error, name).toBeInstanceOf(CampaignRequestError);
    expect((error as CampaignRequestError).status, name).toBe(409);
    expect((error as CampaignRequestError).message, name).toContain("deleted from the event store");
  }

  const { position } = await acme.createCampaign({ id: "kept-1", ...seedPostBody() });
  await acme.pauseCampaign({ id: "kept-1" });
  expect((await acme.getCampaignHistory({ id: "kept-1" })).events).toHaveLength(3); // the create's two, the pause
  expect((await acme.getCampaign({ id: "kept-1", minPosition: position })).id).toBe("kept-1");
});
