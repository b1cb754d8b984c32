import { type DomainError, domainError } from "../errors.js";
import { callingCodeOf, normalisePhoneNumber } from "../phone-number.js";
import type { CampaignContext } from "./context.js";
import type { CampaignEvent } from "./events.js";
import type { Campaign, NumberProgress } from "./state.js";

export type FoundNumber = { readonly e164: string; readonly progress: NumberProgress };

/**
 * Finds a campaign's number by any form that normalises to its stored E.164.
 * A number given as stored (its E.164, or exactly the national form it was
 * added in) is a map lookup; only other forms are parsed with libphonenumber.
 */
export const findNumber = (
  campaign: Campaign,
  number: string,
  region: string,
): FoundNumber | DomainError => {
  const held = heldAsGiven(campaign, number, region);
  if (held) return { e164: held.entry.e164, progress: held };
  const normalised = normalisePhoneNumber(number, region, "possible");
  if (!normalised.ok)
    return domainError("invalid_request", `${number} is not a phone number`, [
      { field: "number", number, reason: normalised.reason },
    ]);
  const progress = campaign.numbers.get(normalised.e164);
  if (!progress)
    return domainError("not_found", `${number} is not in campaign ${campaign.campaignId}`, [
      { field: "number", number, reason: "not in this campaign" },
    ]);
  return { e164: normalised.e164, progress };
};

/**
 * The decision on a command about one of the campaign's numbers (its
 * `number`, in any form findNumber reads): `decide` gets the number found;
 * a number that is not one, or not in the campaign, is refused as findNumber
 * refuses it.
 */
export const aboutNumber =
  <C extends { readonly number: string }>(
    decide: (
      command: C,
      found: FoundNumber,
      campaign: Campaign,
      context: CampaignContext,
    ) => CampaignEvent[] | DomainError,
  ) =>
  (command: C, campaign: Campaign, context: CampaignContext): CampaignEvent[] | DomainError => {
    const found = findNumber(campaign, command.number, context.defaultRegion);
    return "kind" in found ? found : decide(command, found, campaign, context);
  };

/**
 * The number, when `number` is its stored E.164 or the very national form
 * (0 and digits) it was added in with this region: both normalise to that
 * E.164, so parsing them again would only find the same entry.
 */
const heldAsGiven = (
  campaign: Campaign,
  number: string,
  region: string,
): NumberProgress | undefined => {
  if (number.startsWith("+")) return campaign.numbers.get(number);
  if (!NATIONAL_DIGITS.test(number)) return undefined;
  const code = callingCodeOf(region);
  const progress =
    code === undefined ? undefined : campaign.numbers.get(`+${code}${number.slice(1)}`);
  return progress?.entry.number === number ? progress : undefined;
};

const NATIONAL_DIGITS = /^0[1-9][0-9]{4,14}$/;
