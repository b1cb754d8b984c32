/** The pure core: decide+evolve, replay, and number validation. No I/O. */
import {
  type CampaignCommand,
  type CampaignEvent,
  campaignDecider,
  fold,
  normalisePhoneNumber,
  replayCampaign,
} from "../src/domain/index.js";
import { campaignBody, decideOrThrow, mobile, perSecond, type Row } from "./fixtures.js";

export function benchDomain(): Row[] {
  const rows: Row[] = [];
  const numbers = 10_000;
  const { phoneNumbers, ...settings } = campaignBody(numbers);
  const create = {
    type: "CreateCampaign",
    clientId: "bench",
    campaignId: "c1",
    data: { ...settings, phoneNumbers, id: "c1", ignoreInvalidPhoneNumbers: false },
  } as unknown as CampaignCommand;

  let started = performance.now();
  for (let i = 0; i < numbers; i++) normalisePhoneNumber(mobile(i), "GB", "valid");
  rows.push({
    name: "validate + normalise 10,000 numbers",
    value: Math.round(performance.now() - started),
    unit: "ms",
    note: "target < 500 ms",
  });

  started = performance.now();
  const created = decideOrThrow(create, campaignDecider.initialState());
  rows.push({
    name: "decide create-campaign, 10,000 numbers",
    value: Math.round(performance.now() - started),
    unit: "ms",
  });

  // Three attempts per number (busy, no answer, answered): 30,000 decisions, each followed by
  // evolve.
  const log: CampaignEvent[] = [...created];
  let state = fold(campaignDecider.evolve, campaignDecider.initialState(), created);
  let decided = 0;
  started = performance.now();
  for (const [attemptNumber, outcome, minute] of [
    [1, 3, 0],
    [2, 6, 20],
    [3, 1, 90],
  ] as const) {
    const occurredAt = new Date(Date.parse("2030-10-01T08:00:00Z") + minute * 60_000).toISOString();
    for (let i = 0; i < numbers; i++) {
      const command = {
        type: "RecordAttemptOutcome",
        clientId: "bench",
        campaignId: "c1",
        data: { id: "c1", number: mobile(i), attemptNumber, outcome, occurredAt },
      } as unknown as CampaignCommand;
      const events = decideOrThrow(command, state, occurredAt);
      for (const event of events) {
        state = campaignDecider.evolve(state, event);
        log.push(event);
        decided++;
      }
    }
  }
  rows.push({
    name: "decide + evolve, record-attempt-outcome",
    value: perSecond(decided, performance.now() - started),
    unit: "events/s",
  });

  // Replay: what an auditor's state-at or a cold cache does with a long stream.
  const rounds = 20;
  started = performance.now();
  for (let r = 0; r < rounds; r++) replayCampaign(campaignDecider.initialState(), log);
  rows.push({
    name: `replay (evolve) a ${log.length.toLocaleString("en-GB")}-event stream`,
    value: perSecond(log.length * rounds, performance.now() - started),
    unit: "events/s",
    note: "target > 1,000,000",
  });
  return rows;
}
