import {
  type CampaignEvent,
  type ClientExclusions,
  clientExclusionsDecider,
  fold,
  isDomainError,
  parseWith,
  AddExclusionsBody,
} from "../../../src/domain/index.js";
import { CLIENT, after, command, spec } from "../../support/decider-specification.js";

/** The client's exclusion list after adding `numbers` at `now`, decided for real. */
export const clientList = (
  numbers: { number: string; reason?: string; expiresAt?: string }[],
  now = "2030-09-01T00:00:00.000Z",
  list = clientExclusionsDecider.initialState(),
): ClientExclusions => {
  const body = parseWith(AddExclusionsBody, { numbers });
  if (isDomainError(body)) throw new Error(body.message);
  const events = clientExclusionsDecider.decide(
    { type: "AddExclusions", clientId: CLIENT, data: body },
    list,
    { now, defaultRegion: "GB" },
  );
  if (isDomainError(events)) throw new Error(events.message);
  return fold(clientExclusionsDecider.evolve, list, events);
};

/** A claim of up to `limit` attempts at `now`. */
export const claim = (limit = 10, claimSeconds?: number) =>
  command("claim-due-attempts", { limit, ...(claimSeconds === undefined ? {} : { claimSeconds }) });

/** The e164s an AttemptsClaimed in `events` handed out. */
export const claimed = (events: readonly CampaignEvent[]): string[] =>
  events.flatMap((event) =>
    event.type === "AttemptsClaimed" ? event.data.claims.map((c) => c.e164) : [],
  );

/** The log after a claim at `now`, decided for real. */
export const afterClaim = (
  log: readonly CampaignEvent[],
  now: string,
  limit = 10,
  claimSeconds?: number,
): readonly CampaignEvent[] => [
  ...log,
  ...spec.with({ now }).given(log).when(claim(limit, claimSeconds)).events(),
];

export const claimAt = (
  log: readonly CampaignEvent[],
  now: string,
  limit = 10,
  context: Parameters<typeof spec.with>[0] = {},
) =>
  spec
    .with({ now, ...context })
    .given(log)
    .when(claim(limit));

export { after };
