/** Inputs shared by the benchmarks: a seed-shaped campaign and UK mobile numbers. */
import {
  type CampaignCommand,
  type CampaignState,
  campaignDecider,
  isDomainError,
} from "../src/domain/index.js";
import { seedContext, seedPostBody } from "../test/support/seed.js";

/** The benchmarks' clock and context: the seed's, on the campaign's first morning. */
export const benchContext = seedContext("2030-10-01T08:00:00.000Z");

/** The campaign decider's events for `command` at `now`; a refusal throws, naming its first details. */
export const decideOrThrow = (
  command: CampaignCommand,
  state: CampaignState,
  now = benchContext.now,
) => {
  const events = campaignDecider.decide(command, state, { ...benchContext, now });
  if (isDomainError(events))
    throw new Error(
      `${events.code}: ${events.message} ${JSON.stringify(events.details.slice(0, 3))}`,
    );
  return events;
};

export const mobile = (i: number): string => `077${String(10_000_000 + i).padStart(8, "0")}`;

export const phoneNumbers = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => ({
    number: mobile(offset + i),
    name: `c${offset + i}`,
    // Every tenth number carries a parameter; a 10,000-number command stays under the 1 MiB append
    // limit.
    ...((offset + i) % 10 === 0
      ? { parameters: [{ parameter: 1, value: `ref-${offset + i}` }] }
      : {}),
  }));

/** The seed's campaign with a longer day (09:00-17:00, two runover days) and `numbers` numbers. */
export const campaignBody = (numbers: number, offset = 0) => ({
  ...seedPostBody(),
  name: "Benchmark campaign",
  finishTime: "17:00",
  runoverDays: [
    { date: "2030-10-02", startTime: "09:00", finishTime: "17:00" },
    { date: "2030-10-03", startTime: "09:00", finishTime: "17:00" },
  ],
  phoneNumbers: phoneNumbers(numbers, offset),
});

export type Row = { name: string; value: number; unit: string; note?: string };

export const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000);
