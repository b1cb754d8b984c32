import { type DomainError, domainError } from "../errors.js";
import { normalisePhoneNumber } from "../phone-number.js";
import type { Campaign, NumberProgress } from "./state.js";

/** Finds a campaign's number by any form that normalises to its stored E.164. */
export const findNumber = (
  campaign: Campaign,
  number: string,
  region: string,
): { e164: string; progress: NumberProgress } | DomainError => {
  const normalised = normalisePhoneNumber(number, region, "possible");
  if (!normalised.ok)
    return domainError("invalid_request", `${number} is not a phone number`, [{ field: "number", number, reason: normalised.reason }]);
  const progress = campaign.numbers.get(normalised.e164);
  if (!progress)
    return domainError("not_found", `${number} is not in campaign ${campaign.campaignId}`, [{ field: "number", number, reason: "not in this campaign" }]);
  return { e164: normalised.e164, progress };
};
