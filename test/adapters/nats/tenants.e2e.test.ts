/** A client never sees or changes another client's campaigns: 404 for every command and query. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CampaignRequestError } from "../../../src/client/campaigns-client.js";
import {
  registerDefaults,
  seedPostBody,
  startTestInstanceWithNats,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;
let position: bigint;

beforeAll(async () => {
  svc = await startTestInstanceWithNats();
  await registerDefaults(svc.client("acme"));
  await registerDefaults(svc.client("globex"));
  position = (await svc.client("acme").createCampaign({ id: "acme-1", ...seedPostBody() }))
    .position;
});
afterAll(async () => {
  await svc?.stop();
});

it("answers 404 to another client for every command and query on a campaign it does not own", async () => {
  const globex = svc.client("globex");
  const id = "acme-1";
  const occurredAt = new Date().toISOString();
  const attempts: [string, () => Promise<unknown>][] = [
    ["update-campaign", () => globex.updateCampaign({ id, ...seedPostBody() })],
    ["delete-campaign", () => globex.deleteCampaign({ id })],
    ["pause-campaign", () => globex.pauseCampaign({ id })],
    ["resume-campaign", () => globex.resumeCampaign({ id })],
    [
      "add-phone-numbers",
      () => globex.addPhoneNumbers({ id, phoneNumbers: [{ number: "07722000999" }] }),
    ],
    [
      "record-attempt-outcome",
      () =>
        globex.recordAttemptOutcome({
          id,
          number: "07722123456",
          attemptNumber: 1,
          outcome: 1,
          occurredAt,
        }),
    ],
    [
      "record-stage-reached",
      () =>
        globex.recordStageReached({
          id,
          number: "07722123456",
          attemptNumber: 1,
          stage: 1,
          occurredAt,
        }),
    ],
    ["get-campaign", () => globex.getCampaign({ id, minPosition: position })],
    ["get-campaign-statistics", () => globex.getCampaignStatistics({ id, minPosition: position })],
    ["get-campaign-history", () => globex.getCampaignHistory({ id })],
    ["get-campaign-state-at", () => globex.getCampaignStateAt({ id, revision: 1 })],
  ];
  for (const [name, attempt] of attempts) {
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, name).toBeInstanceOf(CampaignRequestError);
    expect((error as CampaignRequestError).status, name).toBe(404);
  }
  expect(await globex.listCampaigns({ minPosition: position })).toEqual([]);
  // A create with the same id is refused without saying whose it is, and acme's campaign is
  // untouched.
  const taken = await globex.createCampaign({ id, ...seedPostBody() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((taken as CampaignRequestError).status).toBe(409);
  expect((await svc.client("acme").getCampaignHistory({ id })).events).toHaveLength(2);
});
