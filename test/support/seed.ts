import {
  type CallPolicy,
  type CampaignContext,
  emptyClientExclusions,
} from "../../src/domain/index.js";

/**
 * The seed's POST body (seed 000), dated 2030 so that it is always in the
 * future: 1 October 09:00-12:00 Europe/London (BST, UTC+1), runover 2 October.
 */
export const seedPostBody = () => ({
  name: "Test Campaign",
  startDate: "2030-10-01",
  startTime: "09:00",
  finishTime: "12:00",
  runoverDays: [{ date: "2030-10-02", startTime: "09:00", finishTime: "12:00" }],
  callflow_Id: 1,
  cli_Id: 1,
  attempts: [
    { interval: 15, attemptNumber: 1 },
    { interval: 60, attemptNumber: 2 },
    { interval: 120, attemptNumber: 3 },
  ],
  answerMachineDetected: 0 as CallPolicy,
  smsOnBusy: 1 as CallPolicy,
  phoneNumbers: [
    { number: "07722123456", name: "ben", parameters: [{ value: "testing", parameter: 1 }] },
    { number: "07722734716", name: "Dave" },
  ],
});

/**
 * What the seed's commands are decided in at `now`: region GB, zone
 * Europe/London, call flow 1 and CLI 1 registered, no client exclusions.
 */
export const seedContext = (
  now: string,
  overrides: Partial<CampaignContext> = {},
): CampaignContext => ({
  now,
  defaultRegion: "GB",
  defaultTimeZone: "Europe/London",
  callFlowIds: new Set([1]),
  cliIds: new Set([1]),
  clientExclusions: emptyClientExclusions(),
  ...overrides,
});
