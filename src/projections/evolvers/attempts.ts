/**
 * Attempt log of a campaign, for the CSV exports: per number, each attempt's
 * outcome and time and the stages reached in it (distinct names, in the order
 * first reached: a call flow has 21 stage codes, so a number's entry stays
 * small however often a stage is recorded). Stages may arrive before their
 * attempt's outcome (the call in progress) or after it, so an attempt is
 * kept from its first stage or its outcome, whichever comes first.
 *
 * Numbers are kept in the detail's order (added in order, a CampaignUpdated
 * sets the order of its list, kept numbers keep their attempts), so page p of
 * this model holds the attempts of the numbers on page p of the detail: an
 * export reads one page of each at a time. Only changed pages are rewritten.
 */
import { List, Map as ImmutableMap, Set as ImmutableSet } from "immutable";
import type { NumberEntry } from "../../domain/index.js";
import { DETAIL_PAGE_SIZE } from "./detail.js";
import {
  type CampaignLogEvent,
  dialListTypes,
  evolvePositioned,
  eventsOf,
  unhandled,
} from "./event.js";

export type AttemptEntry = {
  readonly attemptNumber: number;
  /** Absent while only stages of the attempt are known. */
  readonly outcome?: number;
  readonly outcomeName?: string;
  readonly occurredAt?: string;
  readonly stages: readonly string[];
};
export type NumberAttempts = { readonly e164: string; readonly attempts: readonly AttemptEntry[] };
export type AttemptsPage = readonly NumberAttempts[];

export type AttemptsModel = {
  readonly position: string;
  readonly numbers: List<NumberAttempts>;
  /** E.164 -> index in `numbers`. */
  readonly index: ImmutableMap<string, number>;
  readonly pageSize: number;
  readonly dirtyPages: ImmutableSet<number>;
};

const created = (position: string): AttemptsModel => ({
  position,
  numbers: List(),
  index: ImmutableMap(),
  pageSize: DETAIL_PAGE_SIZE,
  dirtyPages: ImmutableSet(),
});

const pageOf = (model: AttemptsModel, at: number) => Math.floor(at / model.pageSize);

/** Changes attempt `attemptNumber` of a number (created empty when new); an unknown number changes nothing. */
const changeAttempt = (
  model: AttemptsModel,
  e164: string,
  attemptNumber: number,
  change: (entry: AttemptEntry) => AttemptEntry,
): AttemptsModel => {
  const at = model.index.get(e164);
  const number = at === undefined ? undefined : model.numbers.get(at);
  if (at === undefined || number === undefined) return model;
  const i = number.attempts.findIndex((entry) => entry.attemptNumber === attemptNumber);
  const attempts =
    i < 0
      ? [...number.attempts, change({ attemptNumber, stages: [] })].sort(
          (a, b) => a.attemptNumber - b.attemptNumber,
        )
      : number.attempts.map((entry, j) => (j === i ? change(entry) : entry));
  return {
    ...model,
    numbers: model.numbers.set(at, { ...number, attempts }),
    dirtyPages: model.dirtyPages.add(pageOf(model, at)),
  };
};

const addNumbers = (model: AttemptsModel, entries: readonly NumberEntry[]): AttemptsModel => {
  let index = model.index;
  let dirtyPages = model.dirtyPages;
  const numbers = model.numbers.withMutations((list) => {
    index = index.withMutations((byE164) => {
      dirtyPages = dirtyPages.withMutations((pages) => {
        for (const { e164 } of entries) {
          // As the detail: a number already there (never, the decider skips duplicates) starts
          // afresh in place.
          const at = byE164.get(e164) ?? list.size;
          list.set(at, { e164, attempts: [] });
          byE164.set(e164, at);
          pages.add(pageOf(model, at));
        }
      });
    });
  });
  return { ...model, numbers, index, dirtyPages };
};

/** A full replacement, in the update's order: kept numbers keep their attempts. */
const replaceNumbers = (model: AttemptsModel, entries: readonly NumberEntry[]): AttemptsModel => {
  const index = ImmutableMap<string, number>().asMutable();
  const numbers = List<NumberAttempts>().withMutations((list) => {
    for (const { e164 } of entries) {
      if (index.has(e164)) continue;
      const keptAt = model.index.get(e164);
      index.set(e164, list.size);
      list.push(
        (keptAt === undefined ? undefined : model.numbers.get(keptAt)) ?? { e164, attempts: [] },
      );
    }
  });
  const pages = Math.max(
    Math.ceil(numbers.size / model.pageSize),
    Math.ceil(model.numbers.size / model.pageSize),
  );
  return {
    ...model,
    numbers,
    index: index.asImmutable(),
    dirtyPages: ImmutableSet(Array.from({ length: pages }, (_, page) => page)),
  };
};

const withStage = (stages: readonly string[], name: string): readonly string[] =>
  stages.includes(name) ? stages : [...stages, name];

const isDialList = eventsOf(dialListTypes);

/**
 * Applies one of the campaign's events. Undefined before creation and after
 * deletion; an event at or before the model's position changes nothing.
 */
export const evolveAttempts = (
  model: AttemptsModel | undefined,
  event: CampaignLogEvent,
): AttemptsModel | undefined =>
  evolvePositioned(model, event, (on, position) => {
    // A switch, not a pattern match: this runs for every event of the log.
    switch (event.type) {
      case "AttemptOutcomeRecorded": {
        const { data } = event;
        return on((current) =>
          changeAttempt(current, data.e164, data.attemptNumber, (entry) => ({
            ...entry,
            outcome: data.outcome,
            outcomeName: data.outcomeName,
            occurredAt: data.occurredAt,
          })),
        );
      }
      case "StageReached": {
        const { data } = event;
        return on((current) =>
          changeAttempt(current, data.e164, data.attemptNumber, (entry) => ({
            ...entry,
            stages: withStage(entry.stages, data.stageName),
          })),
        );
      }
      case "SmsRequested":
      case "CampaignPaused":
      case "CampaignResumed":
        return on();
      case "PhoneNumbersAdded": {
        const { numbers } = event.data;
        return on((current) => addNumbers(current, numbers));
      }
      case "CampaignCreated":
        return created(position);
      case "CampaignUpdated": {
        const { numbers } = event.data;
        return on((current) => replaceNumbers(current, numbers));
      }
      case "CampaignDeleted":
        return undefined;
      default:
        return isDialList(event) ? on() : unhandled(event);
    }
  });

export const settleAttempts = (model: AttemptsModel): AttemptsModel =>
  model.dirtyPages.size === 0 ? model : { ...model, dirtyPages: ImmutableSet<number>() };

export const attemptsPageCount = (model: AttemptsModel | undefined): number =>
  model === undefined ? 0 : Math.ceil(model.numbers.size / model.pageSize);

/** Page `page` (from 0): the attempts of the numbers on the detail's page `page`. */
export const attemptsPage = (model: AttemptsModel, page: number): AttemptsPage =>
  model.numbers.slice(page * model.pageSize, (page + 1) * model.pageSize).toArray();
