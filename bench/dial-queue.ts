/**
 * The dial queue on a 100,000-number campaign, in-process: claiming 100
 * attempts (target < 5 ms median: an index by due time, not a scan),
 * add-exclusions of 10,000 numbers (target < 500 ms), and the memory each
 * number costs the command side's state and the projections' models.
 */
import {
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  campaignDecider,
  clientExclusionsDecider,
  emptyClientExclusions,
  fold,
  isDomainError,
  replayCampaign,
} from "../src/domain/index.js";
import {
  evolveDetail,
  evolveStatistics,
  evolveSummary,
  type CampaignLogEvent,
} from "../src/projections/evolvers/index.js";
import {
  benchContext,
  campaignBody,
  decideOrThrow,
  mobile,
  phoneNumbers,
  type Row,
} from "./fixtures.js";

const NUMBERS = 100_000;
const decide = (command: object, state: CampaignState, now?: string): CampaignEvent[] => [
  ...decideOrThrow(
    { clientId: "bench", campaignId: "dial", ...command } as CampaignCommand,
    state,
    now,
  ),
];

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapUsed = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** The 100,000-number campaign's events: a create and nine adds of 10,000. */
const campaignLog = (): CampaignEvent[] => {
  const { phoneNumbers: first, ...settings } = campaignBody(10_000);
  const log = decide(
    {
      type: "CreateCampaign",
      data: { ...settings, phoneNumbers: first, id: "dial", ignoreInvalidPhoneNumbers: false },
    },
    campaignDecider.initialState(),
  );
  let state = replayCampaign(campaignDecider.initialState(), log);
  for (let offset = 10_000; offset < NUMBERS; offset += 10_000) {
    const added = decide(
      {
        type: "AddPhoneNumbers",
        data: {
          id: "dial",
          phoneNumbers: phoneNumbers(10_000, offset),
          ignoreInvalidPhoneNumbers: false,
        },
      },
      state,
    );
    state = replayCampaign(state, added);
    log.push(...added);
  }
  return log;
};

export function benchDialQueue(): Row[] {
  const rows: Row[] = [];
  const log = campaignLog();

  // Memory: the command side's state (numbers, progress, the due-time index) per number.
  let before = heapUsed();
  let state = replayCampaign(campaignDecider.initialState(), log);
  const commandSide = (heapUsed() - before) / NUMBERS;
  rows.push({
    name: "memory per number: command side (state + due index)",
    value: Math.round(commandSide),
    unit: "bytes",
    note: gcNote(),
  });

  const logged: CampaignLogEvent[] = log.map((event, i) => ({
    ...event,
    position: BigInt(i + 1),
    recordedAt: benchContext.now,
    clientId: "bench",
    campaignId: "dial",
  }));
  before = heapUsed();
  const models = {
    summary: undefined as unknown,
    detail: undefined as unknown,
    statistics: undefined as unknown,
  };
  for (const event of logged) {
    models.summary = evolveSummary(models.summary as never, event);
    models.detail = evolveDetail(models.detail as never, event);
    models.statistics = evolveStatistics(models.statistics as never, event);
  }
  rows.push({
    name: "memory per number: projections (summary + detail + statistics)",
    value: Math.round((heapUsed() - before) / NUMBERS),
    unit: "bytes",
    note: gcNote(),
  });

  // Claims: 100 at a time, each claim's events folded in, so every claim meets 100 fewer numbers
  // due.
  const decideTimes: number[] = [];
  const withEvolve: number[] = [];
  for (let i = 0; i < 500; i++) {
    const now = new Date(Date.parse("2030-10-01T09:00:00.000Z") + i * 1000).toISOString();
    const started = performance.now();
    const events = decide(
      { type: "ClaimDueAttempts", data: { id: "dial", limit: 100, claimSeconds: 3600 } },
      state,
      now,
    );
    const decided = performance.now();
    state = fold(campaignDecider.evolve, state, events);
    withEvolve.push(performance.now() - started);
    decideTimes.push(decided - started);
    if (events.at(-1)?.type !== "AttemptsClaimed") throw new Error("nothing claimed");
  }
  rows.push({
    name: "claim 100 attempts of a 100,000-number campaign: decide",
    value: round(median(decideTimes)),
    unit: "ms median",
    note: `p99 ${round(percentile(decideTimes, 0.99))} ms; target < 5 ms`,
  });
  rows.push({
    name: "claim 100 attempts: decide + evolve (index updated)",
    value: round(median(withEvolve)),
    unit: "ms median",
    note: `${decideTimes.length} claims, 50,000 numbers held`,
  });

  // add-exclusions: 10,000 numbers on the client's list, then on the campaign's (which completes
  // those it holds).
  const numbers = Array.from({ length: 10_000 }, (_, i) => ({
    number: mobile(50_000 + i),
    reason: "imported",
  }));
  // Once to warm up (a running service is warm), then measured.
  clientExclusionsDecider.decide(
    { type: "AddExclusions", clientId: "bench", data: { numbers } },
    emptyClientExclusions(),
    { now: benchContext.now, defaultRegion: "GB" },
  );
  let started = performance.now();
  const listEvents = clientExclusionsDecider.decide(
    { type: "AddExclusions", clientId: "bench", data: { numbers } },
    emptyClientExclusions(),
    { now: benchContext.now, defaultRegion: "GB" },
  );
  if (isDomainError(listEvents)) throw new Error(listEvents.message);
  fold(clientExclusionsDecider.evolve, emptyClientExclusions(), listEvents);
  rows.push({
    name: "add-exclusions 10,000 numbers: client's list, decide + evolve",
    value: Math.round(performance.now() - started),
    unit: "ms",
    note: "target < 500 ms",
  });
  started = performance.now();
  const campaignEvents = decide(
    { type: "AddCampaignExclusions", data: { campaignId: "dial", numbers } },
    state,
    "2030-10-01T09:10:00.000Z",
  );
  state = fold(campaignDecider.evolve, state, campaignEvents);
  rows.push({
    name: "add-exclusions 10,000 numbers: campaign's list, decide + evolve",
    value: Math.round(performance.now() - started),
    unit: "ms",
    note: "completes the 10,000 numbers it holds",
  });
  return rows;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * p)]!;
const gcNote = (): string =>
  (globalThis as { gc?: () => void }).gc
    ? "heap after gc"
    : "heap without gc (run with --expose-gc for exact figures)";
