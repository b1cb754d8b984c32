import { Map as ImmutableMap } from "immutable";
import { z } from "zod";
import { normalisePhoneNumber } from "../phone-number.js";
import { ExclusionsAdded } from "./events.js";

/**
 * An exclusion list: numbers not to be called, each with an optional reason
 * and expiry. The client's list covers all its campaigns; a campaign's only
 * that campaign. An entry is in force until its `expiresAt` (if any).
 */
export type ExclusionEntry = {
  readonly number: string;
  readonly e164: string;
  readonly reason?: string;
  readonly expiresAt?: string;
  readonly addedAt: string;
};
export type ExclusionList = ImmutableMap<string, ExclusionEntry>;
export const emptyExclusionList = (): ExclusionList => ImmutableMap<string, ExclusionEntry>();

/** Which list keeps a number out: the client's or the campaign's. */
export const ExclusionListName = z.enum(["client", "campaign"]);
export type ExclusionListName = z.infer<typeof ExclusionListName>;

/** ISO-8601 instants from `Instant` all have one shape, so they compare as strings. */
export const inForce = (entry: ExclusionEntry | undefined, now: string): entry is ExclusionEntry =>
  entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now);

/** An entry in force without an expiry completes a campaign's number (result excluded); one with an expiry only holds it back until then. */
export const completes = (entry: ExclusionEntry | undefined, now: string): boolean =>
  inForce(entry, now) && entry.expiresAt === undefined;

/** Stage 14's entries, and any the client gives this reason: the strongest there is. */
export const OPT_OUT_REASON = "opt-out";

/**
 * Whether entry `a` outranks `b` (CONTRACT "Dialling"): an opt-out outranks
 * any other reason, no expiry outranks an expiry, a later expiry an earlier
 * one. Equal entries outrank neither, so a repeat changes nothing.
 */
export const outranks = (
  a: Pick<ExclusionEntry, "reason" | "expiresAt">,
  b: Pick<ExclusionEntry, "reason" | "expiresAt">,
): boolean => {
  const optOut = Number(a.reason === OPT_OUT_REASON) - Number(b.reason === OPT_OUT_REASON);
  if (optOut !== 0) return optOut > 0;
  if ((a.expiresAt === undefined) !== (b.expiresAt === undefined)) return a.expiresAt === undefined;
  return a.expiresAt !== undefined && b.expiresAt !== undefined && a.expiresAt > b.expiresAt;
};

export const MAX_EXCLUSIONS_PER_COMMAND = 10_000;
export const SubmittedExclusion = z.strictObject({
  number: z.string().min(1).max(64),
  reason: z.string().max(200).optional(),
  expiresAt: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value).toISOString())
    .optional(),
});
export type SubmittedExclusion = z.infer<typeof SubmittedExclusion>;

type AddedData = z.infer<typeof ExclusionsAdded>["data"];

/**
 * Sorts submitted numbers into new entries, numbers already excluded and
 * invalid ones (not a phone number, expiring before now, or an opt-out with
 * an expiry: an opt-out is for good). A number has at most one entry per list,
 * the strongest given (outranks): an entry is added when the number has none
 * in force, or when it outranks the one in force, which it then replaces;
 * otherwise it counts as already excluded, as does every weaker or equal
 * repeat of a number within the command. Lists take any possible number: an
 * opt-out list may hold numbers no campaign has yet.
 */
export const admitExclusions = (
  submitted: readonly SubmittedExclusion[],
  list: ExclusionList,
  now: string,
  region: string,
): AddedData => {
  const entries: AddedData["entries"] = [];
  const invalid: AddedData["invalid"] = [];
  const slot = new Map<string, number>();
  let alreadyExcluded = 0;
  submitted.forEach((item, index) => {
    const normalised = normalisePhoneNumber(item.number, region, "possible");
    if (!normalised.ok)
      return void invalid.push({ index, number: item.number, reason: normalised.reason });
    if (item.expiresAt !== undefined && item.expiresAt <= now)
      return void invalid.push({
        index,
        number: item.number,
        reason: "expiresAt is not in the future",
      });
    if (item.expiresAt !== undefined && item.reason === OPT_OUT_REASON)
      return void invalid.push({
        index,
        number: item.number,
        reason: "an opt-out does not expire",
      });
    const { e164 } = normalised;
    const entry = {
      number: item.number,
      e164,
      ...(item.reason === undefined ? {} : { reason: item.reason }),
      ...(item.expiresAt === undefined ? {} : { expiresAt: item.expiresAt }),
    };
    const earlier = slot.get(e164);
    if (earlier !== undefined) {
      alreadyExcluded++;
      if (outranks(entry, entries[earlier]!)) entries[earlier] = entry;
      return;
    }
    const current = list.get(e164);
    if (inForce(current, now) && !outranks(entry, current)) return void alreadyExcluded++;
    slot.set(e164, entries.length);
    entries.push(entry);
  });
  return { addedAt: now, entries, alreadyExcluded, invalid };
};

/** The E.164 forms of the listed numbers that are on the list (in force or not). */
export const onTheList = (
  numbers: readonly string[],
  list: ExclusionList,
  region: string,
): string[] => {
  const found = new Set<string>();
  for (const number of numbers) {
    const normalised = normalisePhoneNumber(number, region, "possible");
    if (normalised.ok && list.has(normalised.e164)) found.add(normalised.e164);
  }
  return [...found];
};

export const withAdded = (list: ExclusionList, data: AddedData): ExclusionList =>
  list.withMutations((entries) => {
    for (const entry of data.entries) entries.set(entry.e164, { ...entry, addedAt: data.addedAt });
  });

export const withRemoved = (list: ExclusionList, numbers: readonly string[]): ExclusionList =>
  list.withMutations((entries) => {
    for (const e164 of numbers) entries.delete(e164);
  });

/** A page of a list in E.164 order, after `after` (an E.164), for list-exclusions. */
export const exclusionPage = (list: ExclusionList, after: string | undefined, limit: number) => {
  const sorted = [...list.values()]
    .filter((entry) => after === undefined || entry.e164 > after)
    .sort((a, b) => (a.e164 < b.e164 ? -1 : 1));
  const page = sorted.slice(0, limit);
  return { numbers: page, ...(sorted.length > limit ? { next: page.at(-1)!.e164 } : {}) };
};
