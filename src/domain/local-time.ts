import ct from "countries-and-timezones";

/**
 * Each number is called on its own clock: its own `timeZone` when given, else
 * its country's when that country has exactly one zone, else the campaign's.
 * The zone table is countries-and-timezones' (kept from the IANA database),
 * not one written here.
 */
export const countryTimeZone = (country: string | undefined): string | undefined => {
  if (country === undefined) return undefined;
  const zones = ct.getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0] : undefined;
};

/**
 * The zone a number's windows are read in, or undefined when it is the
 * campaign's: events store a zone only for numbers off the campaign's clock,
 * so a campaign whose numbers share its zone carries no zone per number.
 */
export const numberTimeZone = (
  explicit: string | undefined,
  country: string | undefined,
  campaignZone: string,
): string | undefined => {
  const zone = explicit ?? countryTimeZone(country) ?? campaignZone;
  return zone === campaignZone ? undefined : zone;
};
