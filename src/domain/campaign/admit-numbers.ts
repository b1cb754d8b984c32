import { type DomainError, type ErrorDetail, domainError } from "../errors.js";
import { normalisePhoneNumber } from "../phone-number.js";
import type { SubmittedPhoneNumber } from "./definition.js";
import type { DuplicateNumber, IgnoredNumber, NumberEntry } from "./events.js";

export type AdmittedNumbers = {
  readonly entries: NumberEntry[];
  readonly duplicates: DuplicateNumber[];
  readonly ignored: IgnoredNumber[];
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
): AdmittedNumbers | DomainError => {
  const entries: NumberEntry[] = [];
  const duplicates: DuplicateNumber[] = [];
  const invalid: IgnoredNumber[] = [];
  const parameterErrors: ErrorDetail[] = [];
  const admitted = new Set<string>();

  submitted.forEach((phone, index) => {
    const parameters = phone.parameters ?? [];
    if (new Set(parameters.map((p) => p.parameter)).size !== parameters.length)
      parameterErrors.push({ field: `phoneNumbers.${index}.parameters`, index, number: phone.number, reason: "each parameter 1..9 may appear once" });

    const normalised = normalisePhoneNumber(phone.number, region);
    if (!normalised.ok) return void invalid.push({ index, number: phone.number, reason: normalised.reason });
    const { e164 } = normalised;
    if (admitted.has(e164) || alreadyIn(e164)) return void duplicates.push({ index, number: phone.number, e164 });
    admitted.add(e164);
    entries.push({
      number: phone.number,
      e164,
      ...(phone.name === undefined ? {} : { name: phone.name }),
      ...(phone.parameters === undefined ? {} : { parameters: [...phone.parameters].sort((a, b) => a.parameter - b.parameter) }),
    });
  });

  if (parameterErrors.length > 0) return domainError("rule_violated", "phone number parameters break their rules", parameterErrors);
  if (invalid.length > 0 && !ignoreInvalid)
    return domainError(
      "rule_violated",
      `${invalid.length} invalid phone number${invalid.length === 1 ? "" : "s"}; fix them or set ignoreInvalidPhoneNumbers`,
      invalid.map(({ index, number, reason }) => ({ field: `phoneNumbers.${index}.number`, index, number, reason })),
    );
  return { entries, duplicates, ignored: invalid };
};
