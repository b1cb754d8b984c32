/** Inputs shared by the benchmarks: a seed-shaped campaign and UK mobile numbers. */
export const mobile = (i: number): string => `077${String(10_000_000 + i).padStart(8, "0")}`;

export const phoneNumbers = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => ({
    number: mobile(offset + i),
    name: `c${offset + i}`,
    // Every tenth number carries a parameter; a 10,000-number command stays under the 1 MiB append limit.
    ...((offset + i) % 10 === 0 ? { parameters: [{ parameter: 1, value: `ref-${offset + i}` }] } : {}),
  }));

export const campaignBody = (numbers: number, offset = 0) => ({
  name: "Benchmark campaign",
  startDate: "2030-10-01",
  startTime: "09:00",
  finishTime: "17:00",
  runoverDays: [
    { date: "2030-10-02", startTime: "09:00", finishTime: "17:00" },
    { date: "2030-10-03", startTime: "09:00", finishTime: "17:00" },
  ],
  callflow_Id: 1,
  cli_Id: 1,
  attempts: [
    { attemptNumber: 1, interval: 15 },
    { attemptNumber: 2, interval: 60 },
    { attemptNumber: 3, interval: 120 },
  ],
  answerMachineDetected: 0 as const,
  smsOnBusy: 1 as const,
  phoneNumbers: phoneNumbers(numbers, offset),
});

export type Row = { name: string; value: number; unit: string; note?: string };

export const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000);
