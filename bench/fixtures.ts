/** Inputs shared by the benchmarks: a seed-shaped campaign and UK mobile numbers. */
import { seedPostBody } from "../test/support/seed.js";

export const mobile = (i: number): string => `077${String(10_000_000 + i).padStart(8, "0")}`;

export const phoneNumbers = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => ({
    number: mobile(offset + i),
    name: `c${offset + i}`,
    // Every tenth number carries a parameter; a 10,000-number command stays under the 1 MiB append limit.
    ...((offset + i) % 10 === 0 ? { parameters: [{ parameter: 1, value: `ref-${offset + i}` }] } : {}),
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
