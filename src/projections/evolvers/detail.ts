/**
 * Campaign detail: the seed's GET single body (seed 001 "Retrieves a single
 * campaign"): the summary's fields plus `phoneNumbers`, each number as
 * submitted (`number`, `name`, `parameters`) with its `e164` form and its
 * `progress` (attempts made, the next step, opted out, the last outcome).
 *
 * A campaign may hold 100,000 numbers while a NATS KV value must stay under
 * 1 MB, so the model is written as a head (the detail without its numbers)
 * and pages of `pageSize` numbers (`detailHead`, `detailPage`); `assembleDetail` puts the
 * GET body back together. The model keeps its numbers in persistent
 * structures (a List in the order added, and a Map from E.164 to the index),
 * so one event costs O(log n), and it tracks the pages changed since the last
 * flush (`dirtyPages`, pages of the model's `pageSize`) so that the projector
 * writes only those; `settleDetail` clears them once written. After a
 * CampaignUpdated the list may have shrunk: the projector deletes the pages
 * beyond the new head's `phoneNumberPages`.
 */
import { List, Map as ImmutableMap, Set as ImmutableSet } from "immutable";
import {
  type CampaignSettings,
  type NumberEntry,
  type ReplannedNumber,
  firstAttempt,
  seedPhoneNumber,
} from "../../domain/index.js";
import {
  type CampaignLogEvent,
  alreadyApplied,
  eventsOf,
  exclusionListTypes,
  unhandled,
} from "./event.js";
import { evolveSummary } from "./summary.js";
import type {
  CampaignDetail,
  CampaignDetailHead,
  CampaignDetailPage,
  CampaignSummary,
  DetailPhoneNumber,
  NumberProgressView,
} from "../../contract/read-models.js";

/** Numbers per page of the detail; at most ~600 bytes each with 9 parameters of 20 characters. */
export const DETAIL_PAGE_SIZE = 1000;

/** The evolver's model: not itself JSON (see detailBody, detailHead, detailPage). */
export type DetailModel = {
  readonly summary: CampaignSummary;
  /** In the order added (a CampaignUpdated sets the order of its list). */
  readonly numbers: List<DetailPhoneNumber>;
  /** E.164 -> index in `numbers`. */
  readonly index: ImmutableMap<string, number>;
  /** The page size `dirtyPages` counts in. */
  readonly pageSize: number;
  /** Pages (of `pageSize`) changed since the last flush. */
  readonly dirtyPages: ImmutableSet<number>;
};

const freshNumber = (entry: NumberEntry, settings: CampaignSettings): DetailPhoneNumber => ({
  ...seedPhoneNumber(entry),
  progress: { attemptsMade: 0, next: firstAttempt(settings), optedOut: false, lastOutcome: null },
});

const emptyDetail = (summary: CampaignSummary): DetailModel => ({
  summary,
  numbers: List<DetailPhoneNumber>(),
  index: ImmutableMap<string, number>(),
  pageSize: DETAIL_PAGE_SIZE,
  dirtyPages: ImmutableSet<number>(),
});

const pageCount = (count: number, pageSize: number): number => Math.ceil(count / pageSize);

const allPages = (count: number, pageSize: number): ImmutableSet<number> =>
  ImmutableSet<number>().withMutations((pages) => {
    for (let page = 0; page < pageCount(count, pageSize); page++) pages.add(page);
  });

/** Changes one number (by E.164) and marks its page dirty; an unknown number changes nothing. */
const changeNumber = (
  model: DetailModel,
  e164: string,
  change: (phone: DetailPhoneNumber) => DetailPhoneNumber,
): DetailModel => {
  const at = model.index.get(e164);
  const phone = at === undefined ? undefined : model.numbers.get(at);
  if (at === undefined || phone === undefined) return model;
  return {
    ...model,
    numbers: model.numbers.set(at, change(phone)),
    dirtyPages: model.dirtyPages.add(Math.floor(at / model.pageSize)),
  };
};

const addNumbers = (
  model: DetailModel,
  entries: readonly NumberEntry[],
  settings: CampaignSettings,
): DetailModel => {
  let index = model.index;
  let dirtyPages = model.dirtyPages;
  const numbers = model.numbers.withMutations((list) => {
    index = index.withMutations((byE164) => {
      dirtyPages = dirtyPages.withMutations((pages) => {
        for (const entry of entries) {
          // Never twice in a campaign (the decider skips duplicates); were it so, the fresh entry
          // replaces the old, as in the domain.
          const at = byE164.get(entry.e164) ?? list.size;
          list.set(at, freshNumber(entry, settings));
          byE164.set(entry.e164, at);
          pages.add(Math.floor(at / model.pageSize));
        }
      });
    });
  });
  return { ...model, numbers, index, dirtyPages };
};

const withoutClaim = ({
  claimedUntil: _claim,
  ...progress
}: NumberProgressView): NumberProgressView => progress;

/** A full replacement, as the domain's evolve: numbers kept by E.164 keep their progress, with the next step the update re-planned; the rest start afresh. */
const replaceNumbers = (
  model: DetailModel,
  entries: readonly NumberEntry[],
  settings: CampaignSettings,
  replanned: readonly ReplannedNumber[],
): DetailModel => {
  const replannedNext = new Map(replanned.map(({ e164, next }) => [e164, next]));
  const index = ImmutableMap<string, number>().asMutable();
  const numbers = List<DetailPhoneNumber>().withMutations((list) => {
    for (const entry of entries) {
      if (index.has(entry.e164)) continue;
      const keptAt = model.index.get(entry.e164);
      const kept = keptAt === undefined ? undefined : model.numbers.get(keptAt);
      const next = replannedNext.get(entry.e164);
      index.set(entry.e164, list.size);
      list.push(
        kept
          ? {
              ...seedPhoneNumber(entry),
              progress:
                next === undefined
                  ? kept.progress
                  : next.status === "completed"
                    ? { ...withoutClaim(kept.progress), next }
                    : { ...kept.progress, next },
            }
          : freshNumber(entry, settings),
      );
    }
  });
  return {
    ...model,
    numbers,
    index: index.asImmutable(),
    dirtyPages: allPages(numbers.size, model.pageSize),
  };
};

const isExclusionList = eventsOf(exclusionListTypes);

/** The numbers after one event (the summary is already the event's). A switch, not a pattern match: this runs for every event of the log. */
const applyDetail = (current: DetailModel, event: CampaignLogEvent): DetailModel | undefined => {
  switch (event.type) {
    case "AttemptOutcomeRecorded": {
      const { data } = event;
      return changeNumber(current, data.e164, (phone) => ({
        ...phone,
        progress: {
          ...withoutClaim(phone.progress),
          attemptsMade: phone.progress.attemptsMade + 1,
          next: data.next,
          lastOutcome: {
            attemptNumber: data.attemptNumber,
            outcome: data.outcome,
            outcomeName: data.outcomeName,
            occurredAt: data.occurredAt,
          },
        },
      }));
    }
    case "StageReached":
    case "SmsRequested":
    case "CampaignPaused":
    case "CampaignResumed":
    case "InvalidPhoneNumbersIgnored":
      return current;
    case "AttemptsClaimed": {
      const { claimedUntil } = event.data;
      return event.data.claims.reduce(
        (model, claim) =>
          changeNumber(model, claim.e164, (phone) => ({
            ...phone,
            progress: { ...phone.progress, claimedUntil },
          })),
        current,
      );
    }
    case "ClaimsReleased":
      return event.data.numbers.reduce(
        (model, e164) =>
          changeNumber(model, e164, (phone) => ({
            ...phone,
            progress: withoutClaim(phone.progress),
          })),
        current,
      );
    case "NumbersExcluded":
      return event.data.numbers.reduce(
        (model, e164) =>
          changeNumber(model, e164, (phone) => ({
            ...phone,
            progress: {
              ...withoutClaim(phone.progress),
              next: { status: "completed", result: "excluded" },
            },
          })),
        current,
      );
    case "NumberOptedOut":
      return changeNumber(current, event.data.e164, (phone) => ({
        ...phone,
        progress: {
          ...withoutClaim(phone.progress),
          optedOut: true,
          next: { status: "completed", result: "opted_out" },
        },
      }));
    case "PhoneNumbersAdded":
      return addNumbers(current, event.data.numbers, settingsOf(current.summary));
    case "CampaignCreated":
      return current;
    case "CampaignUpdated":
      return replaceNumbers(current, event.data.numbers, event.data.settings, event.data.replanned);
    case "CampaignDeleted":
      return undefined;
    default:
      return isExclusionList(event) ? current : unhandled(event);
  }
};

/**
 * Applies one of the campaign's events. Undefined before creation and after
 * deletion; an event at or before the model's position changes nothing.
 */
export const evolveDetail = (
  model: DetailModel | undefined,
  event: CampaignLogEvent,
): DetailModel | undefined => {
  if (alreadyApplied(model?.summary, event)) return model;
  const summary = evolveSummary(model?.summary, event);
  if (summary === undefined) return undefined;
  const current: DetailModel =
    model === undefined || event.type === "CampaignCreated"
      ? emptyDetail(summary)
      : { ...model, summary };
  const next = applyDetail(current, event);
  if (next === undefined || next.numbers.size === next.summary.phoneNumberCount) return next;
  return { ...next, summary: { ...next.summary, phoneNumberCount: next.numbers.size } };
};

/** The settings a fresh number's first attempt depends on, from the summary (which mirrors them). */
const settingsOf = (summary: CampaignSummary): CampaignSettings => ({
  name: summary.name,
  startDate: summary.startDate,
  startTime: summary.startTime,
  finishTime: summary.finishTime,
  runoverDays: summary.runoverDays,
  callflow_Id: summary.callflow_Id,
  cli_Id: summary.cli_Id,
  attempts: summary.attempts,
  answerMachineDetected: summary.answerMachineDetected,
  smsOnBusy: summary.smsOnBusy,
  timeZone: summary.timeZone,
  ...(summary.excludedDates === undefined ? {} : { excludedDates: summary.excludedDates }),
  ...(summary.retryRules === undefined ? {} : { retryRules: summary.retryRules }),
});

/** The model once its dirty pages are written. */
export const settleDetail = (model: DetailModel): DetailModel =>
  model.dirtyPages.size === 0 ? model : { ...model, dirtyPages: ImmutableSet<number>() };

/** The GET single body. O(n): for queries and tests, not for every flush. */
export const detailBody = (model: DetailModel): CampaignDetail => ({
  ...model.summary,
  phoneNumbers: model.numbers.toArray(),
});

/** The head stored beside the pages. */
export const detailHead = (
  model: DetailModel,
  pageSize: number = DETAIL_PAGE_SIZE,
): CampaignDetailHead => ({
  ...model.summary,
  phoneNumberPages: pageCount(model.numbers.size, pageSize),
  phoneNumberPageSize: pageSize,
});

/** Page `page` (from 0) of the numbers: O(pageSize), so a flush builds only its dirty pages. */
export const detailPage = (
  model: DetailModel,
  page: number,
  pageSize: number = DETAIL_PAGE_SIZE,
): CampaignDetailPage => model.numbers.slice(page * pageSize, (page + 1) * pageSize).toArray();

/** The GET single body from a head and its pages (the inverse of detailHead and detailPage). */
export const assembleDetail = (
  head: CampaignDetailHead,
  pages: readonly CampaignDetailPage[],
): CampaignDetail => {
  const { phoneNumberPages: _pages, phoneNumberPageSize: _pageSize, ...summary } = head;
  return { ...summary, phoneNumbers: pages.flat() };
};
