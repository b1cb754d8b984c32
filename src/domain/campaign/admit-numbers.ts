import { type DomainError, type ErrorDetail, domainError } from "../errors.js";
import { normaliseWithCountry } from "../phone-number.js";
import type { SubmittedPhoneNumber } from "./definition.js";
import type { DuplicateNumber, ExcludedNumber, IgnoredNumber, NumberEntry } from "./events.js";
import { isValidTimeZone } from "../calling-window.js";
import type { ExclusionListName } from "../exclusions/list.js";
import { numberTimeZone } from "../local-time.js";

export type AdmittedNumbers = {
  readonly entries: NumberEntry[];
  readonly duplicates: DuplicateNumber[];
  readonly ignored: IgnoredNumber[];
  readonly excluded: ExcludedNumber[];
};

/** What admitting a number needs to know of its campaign: its clock, and the lists that keep numbers out. */
export type Admission = {
  readonly campaignZone: string;
  readonly excludedBy: (e164: string) => ExclusionListName | undefined;
};

/**
 * Normalises submitted numbers to E.164 and sorts them into admitted,
 * duplicate (already in the campaign, or earlier in the same list) and invalid.
 * Invalid numbers are ignored only when the client asked for it; otherwise
 * the command fails with one detail per invalid number.
 */
export const admitNumbers = (
  submitted: readonly SubmittedPhoneNumber[],
  alreadyIn: (e164: string) => boolean,
  region: string,
  ignoreInvalid: boolean,
  admission: Admission,
): AdmittedNumbers | DomainError => {
  const entries: NumberEntry[] = [];
  const duplicates: DuplicateNumber[] = [];
  const invalid: IgnoredNumber[] = [];
  const excluded: ExcludedNumber[] = [];
  const parameterErrors: ErrorDetail[] = [];
  const admitted = new Set<string>();

  submitted.forEach((phone, index) => {
    const parameters = phone.parameters ?? [];
    if (new Set(parameters.map((p) => p.parameter)).size !== parameters.length)
      parameterErrors.push({
        field: `phoneNumbers.${index}.parameters`,
        index,
        number: phone.number,
        reason: "each parameter 1..9 may appear once",
      });
    if (phone.timeZone !== undefined && !isValidTimeZone(phone.timeZone))
      parameterErrors.push({
        field: `phoneNumbers.${index}.timeZone`,
        index,
        number: phone.number,
        reason: `${phone.timeZone} is not an IANA time zone`,
      });

    const normalised = normaliseWithCountry(phone.number, region);
    if (!normalised.ok)
      return void invalid.push({ index, number: phone.number, reason: normalised.reason });
    const { e164 } = normalised;
    if (admitted.has(e164) || alreadyIn(e164))
      return void duplicates.push({ index, number: phone.number, e164 });
    const list = admission.excludedBy(e164);
    if (list !== undefined) return void excluded.push({ index, number: phone.number, e164, list });
    admitted.add(e164);
    const timeZone = numberTimeZone(phone.timeZone, normalised.country, admission.campaignZone);
    entries.push({
      number: phone.number,
      e164,
      ...(phone.name === undefined ? {} : { name: phone.name }),
      ...(phone.parameters === undefined
        ? {}
        : { parameters: [...phone.parameters].sort((a, b) => a.parameter - b.parameter) }),
      ...(timeZone === undefined ? {} : { timeZone }),
    });
  });

  if (parameterErrors.length > 0)
    return domainError(
      "rule_violated",
      "phone number parameters or time zones break their rules",
      parameterErrors,
    );
  if (invalid.length > 0 && !ignoreInvalid)
    return domainError(
      "rule_violated",
      `${invalid.length} invalid phone number${invalid.length === 1 ? "" : "s"}; fix them or set ignoreInvalidPhoneNumbers`,
      invalid.map(({ index, number, reason }) => ({
        field: `phoneNumbers.${index}.number`,
        index,
        number,
        reason,
      })),
    );
  return { entries, duplicates, ignored: invalid, excluded };
};
