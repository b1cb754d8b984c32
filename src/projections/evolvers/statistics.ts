/**
 * Outcome statistics of one campaign.
 *
 * Two kinds of figure:
 * - Event counts, cumulative over the campaign's whole history (numbers later
 *   dropped by a CampaignUpdated keep their attempts counted):
 *   `outcomes` (all 13 outcome codes, always listed), `stages` (all 21 stage
 *   codes, always listed), `perAttempt` (attempt numbers 1..max(N, highest
 *   recorded), each with its 13 outcomes), `attemptsRecorded`,
 *   `smsRequested`, `ignoredInvalidNumbers`, and
 *   `answerRate` = attempts with outcome Answered (1) / attempts recorded
 *   (null before any attempt).
 * - Number counts, over the campaign's current numbers (a CampaignUpdated
 *   replaces the list; numbers kept by E.164 keep their progress, with the
 *   next step the update re-planned and carries: a pending attempt beyond the
 *   new maximum, or a retry with no calling window left under the new
 *   windows, makes the number exhausted). `numbers` is a
 *   partition of `total`:
 *     pending   not completed: first attempt or a retry still to come
 *     completed completed with a final result other than exhausted or
 *               opted out: contacted, message_left, failed, excluded
 *     exhausted completed because no attempts or calling windows were left
 *     optedOut  completed because the callee reached the OptOut stage (14),
 *               whatever the outcome of that call (it may come before or after)
 *   so total = pending + completed + exhausted + optedOut. `results` counts
 *   the completed numbers by result (its contacted + message_left + failed +
 *   excluded = numbers.completed, its exhausted and opted_out equal theirs).
 *   `contactRate` = numbersAnswered / numbersAttempted: numbers with at least
 *   one Answered attempt over numbers with at least one recorded attempt
 *   (null when none has been attempted).
 *
 * The evolver's model is compact (per-code count arrays and one small integer
 * per number in a persistent map, so one event costs O(log n));
 * `statisticsView` turns it into the published CampaignStatistics.
 */
import { Map as ImmutableMap } from "immutable";
import {
  type NextStep,
  type NumberEntry,
  type NumberResult,
  OUTCOME_ANSWERED,
  type ReplannedNumber,
  maxAttempts,
  numberResults,
  outcomes,
  stages,
} from "../../domain/index.js";
import { type CampaignLogEvent, evolvePositioned, unhandled } from "./event.js";
import type { CampaignStatistics, CodeCount } from "../../contract/read-models.js";

/**
 * A number's code: its state in the low bits (0 pending, then 1 + the index of
 * its result in numberResults), two flags, and above them the number of its
 * pending attempt (0 once completed), which an update's re-planning reads.
 */
const PENDING = 0;
const STATE_COUNT = 1 + numberResults.length;
const STATE_MASK = 7;
const ATTEMPTED = 8;
const ANSWERED = 16;
const FLAGS = ATTEMPTED | ANSWERED;
const NEXT_SHIFT = 5;
const stateOfResult = (result: NumberResult): number => 1 + numberResults.indexOf(result);
const pendingAttempt = (attemptNumber: number): number => PENDING | (attemptNumber << NEXT_SHIFT);
const FIRST_ATTEMPT = pendingAttempt(1);
/** The code's state and pending attempt after a next step (its flags are the caller's). */
const stepCode = (next: NextStep): number =>
  next.status === "retry" ? pendingAttempt(next.attemptNumber) : stateOfResult(next.result);

/** A kept number's code after an update re-planned its next step (to its first attempt, a retry or exhausted). */
const replannedCode = (code: number, next: ReplannedNumber["next"]): number =>
  (code & FLAGS) | (next.status === "pending" ? FIRST_ATTEMPT : stepCode(next));

/** The evolver's model: not itself JSON (see statisticsView). */
export type StatisticsModel = {
  readonly id: string;
  readonly position: string;
  /** N, the campaign's maximum attempts per number. */
  readonly maxAttempts: number;
  /** Index: outcome code - 1. */
  readonly outcomeCounts: readonly number[];
  /** Index: stage code. */
  readonly stageCounts: readonly number[];
  /** Index: attempt number - 1, then outcome code - 1. */
  readonly perAttempt: readonly (readonly number[])[];
  readonly attemptsRecorded: number;
  readonly smsRequested: number;
  readonly ignoredInvalidNumbers: number;
  readonly claimsMade: number;
  readonly claimsReleased: number;
  readonly excludedNumbersSkipped: number;
  /** E.164 -> state (low bits) | ATTEMPTED | ANSWERED | pending attempt << NEXT_SHIFT. */
  readonly numbers: ImmutableMap<string, number>;
  /** E.164 -> when its last attempt was made, for the numbers awaiting a retry (an update re-plans from it). */
  /** Index: state. */
  readonly numberStates: readonly number[];
  readonly numbersAttempted: number;
  readonly numbersAnswered: number;
};

type NumberTally = Pick<StatisticsModel, "numberStates" | "numbersAttempted" | "numbersAnswered">;

const zeros = (length: number): number[] => new Array<number>(length).fill(0);
const increment = (counts: readonly number[], at: number, by = 1): readonly number[] => {
  if (at < 0 || at >= counts.length) return counts;
  const copy = [...counts];
  copy[at] = (copy[at] ?? 0) + by;
  return copy;
};

/** The tally with one number moved from `before` to `after` (undefined: not in the campaign). */
const retally = (
  tally: NumberTally,
  before: number | undefined,
  after: number | undefined,
): NumberTally => {
  const states = [...tally.numberStates];
  let { numbersAttempted, numbersAnswered } = tally;
  for (const [code, sign] of [
    [before, -1],
    [after, 1],
  ] as const) {
    if (code === undefined) continue;
    states[code & STATE_MASK] = (states[code & STATE_MASK] ?? 0) + sign;
    if (code & ATTEMPTED) numbersAttempted += sign;
    if (code & ANSWERED) numbersAnswered += sign;
  }
  return { numberStates: states, numbersAttempted, numbersAnswered };
};

const tallyOf = (numbers: ImmutableMap<string, number>): NumberTally => {
  const states = zeros(STATE_COUNT);
  let numbersAttempted = 0;
  let numbersAnswered = 0;
  for (const code of numbers.values()) {
    states[code & STATE_MASK] = (states[code & STATE_MASK] ?? 0) + 1;
    if (code & ATTEMPTED) numbersAttempted++;
    if (code & ANSWERED) numbersAnswered++;
  }
  return { numberStates: states, numbersAttempted, numbersAnswered };
};

const created = (id: string, attempts: number, position: string): StatisticsModel => ({
  id,
  position,
  maxAttempts: attempts,
  outcomeCounts: zeros(outcomes.length),
  stageCounts: zeros(stages.length),
  perAttempt: [],
  attemptsRecorded: 0,
  smsRequested: 0,
  ignoredInvalidNumbers: 0,
  claimsMade: 0,
  claimsReleased: 0,
  excludedNumbersSkipped: 0,
  numbers: ImmutableMap<string, number>(),
  numberStates: zeros(STATE_COUNT),
  numbersAttempted: 0,
  numbersAnswered: 0,
});

const addNumbers = (model: StatisticsModel, entries: readonly NumberEntry[]): StatisticsModel => {
  // Never already in the campaign (the decider skips duplicates); were one, it starts afresh, as in
  // the domain.
  const replaced = entries.filter((entry) => model.numbers.has(entry.e164)).length > 0;
  const numbers = model.numbers.withMutations((map) => {
    for (const entry of entries) map.set(entry.e164, FIRST_ATTEMPT);
  });
  const tally: NumberTally = replaced
    ? tallyOf(numbers)
    : {
        ...model,
        numberStates: increment(model.numberStates, PENDING, numbers.size - model.numbers.size),
      };
  return { ...model, ...tally, numbers };
};

const replaceNumbers = (
  model: StatisticsModel,
  entries: readonly NumberEntry[],
  replanned: readonly ReplannedNumber[],
): StatisticsModel => {
  const replannedNext = new Map(replanned.map(({ e164, next }) => [e164, next]));
  const numbers = ImmutableMap<string, number>().withMutations((map) => {
    for (const entry of entries) {
      const kept = model.numbers.get(entry.e164);
      const next = replannedNext.get(entry.e164);
      map.set(
        entry.e164,
        kept === undefined ? FIRST_ATTEMPT : next === undefined ? kept : replannedCode(kept, next),
      );
    }
  });
  return { ...model, ...tallyOf(numbers), numbers };
};

const changeNumber = (
  model: StatisticsModel,
  e164: string,
  change: (code: number) => number,
): StatisticsModel => {
  const before = model.numbers.get(e164);
  if (before === undefined) return model;
  const after = change(before);
  return { ...model, ...retally(model, before, after), numbers: model.numbers.set(e164, after) };
};

const recordAttempt = (
  model: StatisticsModel,
  data: Extract<CampaignLogEvent, { type: "AttemptOutcomeRecorded" }>["data"],
): StatisticsModel => {
  const perAttempt = [...model.perAttempt];
  while (perAttempt.length < data.attemptNumber) perAttempt.push(zeros(outcomes.length));
  perAttempt[data.attemptNumber - 1] = increment(
    perAttempt[data.attemptNumber - 1] ?? zeros(outcomes.length),
    data.outcome - 1,
  );
  const counted: StatisticsModel = {
    ...model,
    outcomeCounts: increment(model.outcomeCounts, data.outcome - 1),
    perAttempt,
    attemptsRecorded: model.attemptsRecorded + 1,
  };
  const flags = ATTEMPTED | (data.outcome === OUTCOME_ANSWERED ? ANSWERED : 0);
  return changeNumber(counted, data.e164, (code) => (code & FLAGS) | flags | stepCode(data.next));
};

const completeAs =
  (result: NumberResult) =>
  (model: StatisticsModel, e164: string): StatisticsModel =>
    changeNumber(model, e164, (code) => (code & FLAGS) | stateOfResult(result));

/**
 * Applies one of the campaign's events. Undefined before creation and after
 * deletion; an event at or before the model's position changes nothing.
 */
export const evolveStatistics = (
  model: StatisticsModel | undefined,
  event: CampaignLogEvent,
): StatisticsModel | undefined =>
  evolvePositioned(model, event, (on, position) => {
    // A switch, not a pattern match: this runs for every event of the log.
    switch (event.type) {
      case "AttemptOutcomeRecorded": {
        const { data } = event;
        return on((current) => recordAttempt(current, data));
      }
      case "StageReached": {
        const { stage } = event.data;
        return on((current) => ({
          ...current,
          stageCounts: increment(current.stageCounts, stage),
        }));
      }
      case "SmsRequested":
        return on((current) => ({ ...current, smsRequested: current.smsRequested + 1 }));
      case "NumberOptedOut": {
        const { e164 } = event.data;
        return on((current) => completeAs("opted_out")(current, e164));
      }
      case "NumbersExcluded": {
        const { numbers } = event.data;
        return on((current) => numbers.reduce(completeAs("excluded"), current));
      }
      case "AttemptsClaimed": {
        const claims = event.data.claims.length;
        return on((current) => ({ ...current, claimsMade: current.claimsMade + claims }));
      }
      case "ClaimsReleased": {
        const released = event.data.numbers.length;
        return on((current) => ({ ...current, claimsReleased: current.claimsReleased + released }));
      }
      case "ExcludedPhoneNumbersSkipped": {
        const skipped = event.data.excluded.length;
        return on((current) => ({
          ...current,
          excludedNumbersSkipped: current.excludedNumbersSkipped + skipped,
        }));
      }
      case "ExclusionsAdded":
      case "ExclusionsRemoved":
      case "ClientExclusionsApplied":
        return on();
      case "PhoneNumbersAdded":
        return on((current) => addNumbers(current, event.data.numbers));
      case "InvalidPhoneNumbersIgnored": {
        const ignored = event.data.ignored.length;
        return on((current) => ({
          ...current,
          ignoredInvalidNumbers: current.ignoredInvalidNumbers + ignored,
        }));
      }
      case "CampaignCreated":
        return created(event.data.campaignId, maxAttempts(event.data.settings), position);
      case "CampaignUpdated": {
        const { data } = event;
        return on((current) => ({
          ...replaceNumbers(current, data.numbers, data.replanned),
          maxAttempts: maxAttempts(data.settings),
        }));
      }
      case "CampaignPaused":
      case "CampaignResumed":
        return on();
      case "CampaignDeleted":
        return undefined;
      default:
        return unhandled(event);
    }
  });

const outcomeCounts = (counts: readonly number[]): CodeCount[] =>
  outcomes.map(({ code, name }) => ({ code, name, count: counts[code - 1] ?? 0 }));

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** The published statistics. */
export const statisticsView = (model: StatisticsModel): CampaignStatistics => {
  const byState = (state: number) => model.numberStates[state] ?? 0;
  const results = Object.fromEntries(
    numberResults.map((result) => [result, byState(stateOfResult(result))]),
  ) as Record<NumberResult, number>;
  const attemptNumbers = Math.max(model.maxAttempts, model.perAttempt.length);
  return {
    id: model.id,
    position: model.position,
    outcomes: outcomeCounts(model.outcomeCounts),
    stages: stages.map((name, code) => ({ code, name, count: model.stageCounts[code] ?? 0 })),
    perAttempt: Array.from({ length: attemptNumbers }, (_, i) => {
      const counts = model.perAttempt[i] ?? [];
      return {
        attemptNumber: i + 1,
        attempts: counts.reduce((sum, n) => sum + n, 0),
        byOutcome: outcomeCounts(counts),
      };
    }),
    numbers: {
      total: model.numbers.size,
      pending: byState(PENDING),
      completed: results.contacted + results.message_left + results.failed + results.excluded,
      exhausted: results.exhausted,
      optedOut: results.opted_out,
    },
    results,
    attemptsRecorded: model.attemptsRecorded,
    smsRequested: model.smsRequested,
    ignoredInvalidNumbers: model.ignoredInvalidNumbers,
    claimsMade: model.claimsMade,
    claimsReleased: model.claimsReleased,
    excludedNumbersSkipped: model.excludedNumbersSkipped,
    numbersAttempted: model.numbersAttempted,
    numbersAnswered: model.numbersAnswered,
    answerRate: ratio(model.outcomeCounts[OUTCOME_ANSWERED - 1] ?? 0, model.attemptsRecorded),
    contactRate: ratio(model.numbersAnswered, model.numbersAttempted),
  };
};
