import { type DomainError, domainError } from "../errors.js";

/** Diallers' clocks drift; a report (outcome or stage) further in the future than this is refused. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The 422 for an `occurredAt` more than CLOCK_SKEW_MS ahead of the decision's now, or undefined when it is not. */
export const occurredInTheFuture = (occurredAt: string, now: string): DomainError | undefined =>
  Date.parse(occurredAt) > Date.parse(now) + CLOCK_SKEW_MS
    ? domainError("rule_violated", "occurredAt is in the future", [
        { field: "occurredAt", reason: `after now (${now})` },
      ])
    : undefined;
