/**
 * Genuine campaign events for the evolver tests: wire-shaped commands are
 * parsed by their contract schemas and decided by the real campaign decider
 * against the state folded so far, then given log positions as the store
 * would (other campaigns' events interleave, so positions step by 3).
 */
import {
  type CampaignState,
  campaignDecider,
  isDomainError,
  parseWith,
} from "../../../src/domain/index.js";
import type { CampaignLogEvent } from "../../../src/projections/evolvers/index.js";
import { type CampaignCommandName, campaignCommands } from "../../../src/contract/commands.js";
import { seedContext, seedPostBody as supportSeedPostBody } from "../../support/seed.js";

export const CLIENT = "client-a";
export const CAMPAIGN = "camp-1";

export class CampaignLog {
  state: CampaignState = campaignDecider.initialState();
  readonly events: CampaignLogEvent[] = [];
  private position: bigint;

  constructor(
    readonly campaignId = CAMPAIGN,
    readonly clientId = CLIENT,
    firstPosition = 100n,
  ) {
    this.position = firstPosition;
  }

  /** Decides one command; throws on a domain error. Returns the new events. */
  run(
    name: CampaignCommandName,
    body: object,
    now = "2025-09-01T00:00:00.000Z",
  ): CampaignLogEvent[] {
    const entry = campaignCommands[name];
    const parsed = parseWith(entry.schema, { id: this.campaignId, ...body });
    if (isDomainError(parsed))
      throw new Error(`${name}: ${parsed.message} ${JSON.stringify(parsed.details)}`);
    const command = {
      type: entry.type,
      clientId: this.clientId,
      campaignId: this.campaignId,
      data: { ...parsed, id: this.campaignId },
    } as Parameters<typeof campaignDecider.decide>[0];
    const decided = campaignDecider.decide(command, this.state, seedContext(now));
    if (isDomainError(decided))
      throw new Error(
        `${name}: ${decided.code} ${decided.message} ${JSON.stringify(decided.details)}`,
      );
    const logged = decided.map((event): CampaignLogEvent => {
      this.state = campaignDecider.evolve(this.state, event);
      this.position += 3n;
      return {
        ...event,
        position: this.position,
        recordedAt: now,
        clientId: this.clientId,
        campaignId: this.campaignId,
      };
    });
    this.events.push(...logged);
    return logged;
  }

  create(body: object = seedPostBody()): CampaignLogEvent[] {
    return this.run("create-campaign", body);
  }

  outcome(
    number: string,
    attemptNumber: number,
    outcome: number,
    occurredAt: string,
  ): CampaignLogEvent[] {
    return this.run(
      "record-attempt-outcome",
      { number, attemptNumber, outcome, occurredAt },
      occurredAt,
    );
  }

  stage(
    number: string,
    attemptNumber: number,
    stage: number,
    occurredAt: string,
  ): CampaignLogEvent[] {
    return this.run(
      "record-stage-reached",
      { number, attemptNumber, stage, occurredAt },
      occurredAt,
    );
  }
}

/** Folds events into a read model with an evolver. */
export const project = <Model>(
  evolve: (model: Model | undefined, event: CampaignLogEvent) => Model | undefined,
  events: Iterable<CampaignLogEvent>,
  model: Model | undefined = undefined,
): Model | undefined => {
  let current = model;
  for (const event of events) current = evolve(current, event);
  return current;
};

/** Seed 000's POST body, as received (dated 2025, as the seed is: these tests run on their own clock). */
export const seedPostBody = () => ({
  ...supportSeedPostBody(),
  startDate: "2025-10-01",
  runoverDays: [{ date: "2025-10-02", startTime: "09:00", finishTime: "12:00" }],
});

/** Seed 001's GET list item (its `"id": 1234578` is our string id; `phoneNumberCount` is the campaign's). */
export const seedListItem = (id: string, phoneNumberCount: number) => {
  const { phoneNumbers: _numbers, ...settings } = seedPostBody();
  return { id, ...settings, phoneNumberCount };
};

/** Seed 001's GET single body's phone numbers. */
export const seedPhoneNumbers = () => [
  { number: "07722123456", name: "ben", parameters: [{ value: "testing", parameter: 1 }] },
  { number: "07722734716", name: "Dave" },
];

/** Times inside the seed campaign's first calling window (09:00-12:00 Europe/London = 08:00-11:00Z). */
export const at = (minutesAfterOpening: number): string =>
  new Date(Date.parse("2025-10-01T08:00:00.000Z") + minutesAfterOpening * 60_000).toISOString();

/** A valid UK mobile number, distinct for each i below 1,000,000 (07722 000000 onwards). */
export const mobile = (i: number): string => `07722${String(i).padStart(6, "0")}`;
export const mobileE164 = (i: number): string => `+447722${String(i).padStart(6, "0")}`;
