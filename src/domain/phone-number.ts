import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
  ParseError,
  type CountryCode,
} from "libphonenumber-js/max";

/**
 * Phone numbers arrive in any national or international form; the campaign
 * keys them by E.164 so that "07722 123456" and "+447722123456" are one number.
 * The "max" metadata is used because it validates number ranges, not only lengths.
 */
export type NormalisedNumber =
  { readonly ok: true; readonly e164: string } | { readonly ok: false; readonly reason: string };

const reasons: Record<string, string> = {
  INVALID_COUNTRY: "no country code and no default region fits",
  NOT_A_NUMBER: "not a phone number",
  TOO_SHORT: "too short",
  TOO_LONG: "too long",
  INVALID_LENGTH: "invalid length",
};

/**
 * `valid` checks the number against its region's allocated ranges (numbers we dial);
 * `possible` checks only its length (a caller ID may be from a reserved range, e.g. Ofcom's 01632 drama numbers).
 */
export type NumberCheck = "valid" | "possible";

export const normalisePhoneNumber = (
  input: string,
  defaultRegion: string,
  check: NumberCheck = "valid",
): NormalisedNumber => {
  const normalised = normaliseWithCountry(input, defaultRegion, check);
  return normalised.ok ? { ok: true, e164: normalised.e164 } : normalised;
};

/**
 * What a number may be written with (CONTRACT "Dialling"): digits of any
 * script, spaces, and the separators + ( ) - . / (with their full-width forms
 * and the other dashes), optionally after `tel:`. libphonenumber alone would
 * find a number inside any text (`=HYPERLINK("http://x/","07723170099")`),
 * and that text would be echoed in claims and exports: anything else around a
 * number makes it invalid, never searched.
 */
const NUMBER_SYNTAX =
  /^(?:tel:)?[\p{Nd}\p{Zs}+()\-./\uFF0B\uFF08\uFF09\uFF0D\uFF0E\uFF0F\u2010-\u2015\u2212]+$/iu;

/** As normalisePhoneNumber, with the number's country when it has one (for its clock). */
export const normaliseWithCountry = (
  input: string,
  defaultRegion: string,
  check: NumberCheck = "valid",
):
  | { readonly ok: true; readonly e164: string; readonly country?: string }
  | { readonly ok: false; readonly reason: string } => {
  if (!NUMBER_SYNTAX.test(input)) return { ok: false, reason: "not a phone number" };
  try {
    const parsed = parsePhoneNumberWithError(input, defaultRegion as CountryCode);
    const accepted = check === "valid" ? parsed.isValid() : parsed.isPossible();
    if (!accepted) return { ok: false, reason: `not a ${check} number for its region` };
    return {
      ok: true,
      e164: parsed.number,
      ...(parsed.country === undefined ? {} : { country: parsed.country }),
    };
  } catch (error) {
    if (error instanceof ParseError)
      return { ok: false, reason: reasons[error.message] ?? error.message.toLowerCase() };
    return { ok: false, reason: "not a phone number" };
  }
};

/** The region's country calling code ("44" for GB); undefined for a region libphonenumber does not know. */
export const callingCodeOf = (region: string): string | undefined =>
  isSupportedCountry(region) ? getCountryCallingCode(region as CountryCode) : undefined;
