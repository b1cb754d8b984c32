/**
 * Given / when / then for deciders, after Emmett's DeciderSpecification:
 *
 *   spec.given(pastEvents).when(command).then(expectedEvents)
 *   spec.given(pastEvents).when(command).thenFails("conflict", [{ field: "attemptNumber" }])
 *
 * The state is folded from the given events with the decider's own `evolve`,
 * so every specification also checks that evolve keeps what the next decision
 * relies on. Commands are built from wire bodies and parsed by their contract
 * schema, so a schema violation arrives at `when` as the 400 the service replies.
 */
import { expect } from "vitest";
import {
  type CampaignCommand,
  type CampaignContext,
  type CampaignEvent,
  type CallPolicy,
  type Decider,
  type DirectoryCommand,
  type DirectoryContext,
  type DirectoryEvent,
  type DomainError,
  type ErrorCode,
  type ErrorDetail,
  campaignDecider,
  directoryDecider,
  fold,
  isDomainError,
  parseWith,
} from "../../src/domain/index.js";
import { seedContext, seedPostBody } from "./seed.js";
import {
  type CampaignCommandName,
  type DirectoryCommandName,
  type ExclusionCommandName,
  campaignCommands,
  directoryCommands,
  exclusionCommands,
  isExclusionCommandName,
} from "../../src/contract/commands.js";

export type Outcome<Event> = {
  /** The decided events, compared in full and in order. */
  then(expected: readonly Event[]): void;
  /** The command is accepted and changes nothing (an idempotent repeat). */
  thenNothingHappens(): void;
  /** As many events as expected, each matching its partial shape (`toMatchObject`). */
  thenMatches(expected: readonly object[]): void;
  /** A domain error with this code, whose details contain (at least) one match for each partial detail. */
  thenFails(code: ErrorCode, details?: readonly Partial<ErrorDetail>[]): DomainError;
  /** The decided events, for a later `given`. */
  events(): readonly Event[];
};

export type Specification<Command, Event, Context> = {
  given(events: readonly Event[]): { when(command: Command | DomainError): Outcome<Event> };
  /** The same specification with parts of its context replaced. */
  with(context: Partial<Context>): Specification<Command, Event, Context>;
};

const describeResult = <E extends { type: string }>(result: readonly E[] | DomainError) =>
  isDomainError(result)
    ? `${result.code}: ${result.message} ${JSON.stringify(result.details)}`
    : `events ${JSON.stringify(result.map((e) => e.type))}`;

const outcome = <Event extends { type: string }>(
  result: readonly Event[] | DomainError,
): Outcome<Event> => {
  const events = (): readonly Event[] => {
    if (isDomainError(result)) throw new Error(`expected events, got ${describeResult(result)}`);
    return result;
  };
  return {
    then: (expected) => expect(events()).toEqual(expected),
    thenNothingHappens: () => expect(events()).toEqual([]),
    thenMatches: (expected) => {
      const actual = events();
      expect(actual.length, `events decided: ${JSON.stringify(actual.map((e) => e.type))}`).toBe(
        expected.length,
      );
      expect(actual).toMatchObject(expected);
    },
    thenFails: (code, details) => {
      if (!isDomainError(result))
        throw new Error(`expected ${code}, got ${describeResult(result)}`);
      expect({ code: result.code, message: result.message }).toMatchObject({ code });
      if (details)
        expect(result.details).toEqual(
          expect.arrayContaining(details.map((d) => expect.objectContaining(d))),
        );
      return result;
    },
    events,
  };
};

export const DeciderSpecification = {
  for: <Command, Event extends { type: string }, State, Context>(
    decider: Decider<Command, Event, State, Context>,
    context: Context,
  ): Specification<Command, Event, Context> => ({
    given: (given) => ({
      when: (command) => {
        if (isDomainError(command)) return outcome<Event>(command);
        const state = fold(decider.evolve, decider.initialState(), given);
        return outcome(decider.decide(command, state, context));
      },
    }),
    with: (overrides) => DeciderSpecification.for(decider, { ...context, ...overrides }),
  }),
};

// ---------------------------------------------------------------- campaigns

export const CLIENT = "client-a";
export const CAMPAIGN = "camp-1";

// Later than every occurredAt in the specifications; the clock-skew rule sets its own.
export const campaignContext: CampaignContext = seedContext("2031-06-01T00:00:00.000Z");

export const spec = DeciderSpecification.for(campaignDecider, campaignContext);

/** A campaign command as it arrives on `campaigns.<client>.cmd.<name>`: parsed by its schema (a failure is the 400). */
export const command = (
  name: CampaignCommandName | ExclusionCommandName,
  body: object = {},
  clientId = CLIENT,
): CampaignCommand | DomainError => {
  if (isExclusionCommandName(name)) {
    // With a campaignId, add-exclusions and remove-exclusions are that campaign's commands.
    const entry = exclusionCommands[name];
    const data = parseWith(entry.schema, { campaignId: CAMPAIGN, ...body });
    if (isDomainError(data)) return data;
    return {
      type: entry.campaign,
      clientId,
      campaignId: data.campaignId ?? CAMPAIGN,
      data,
    } as CampaignCommand;
  }
  const entry = campaignCommands[name];
  const data = parseWith(entry.schema, { id: CAMPAIGN, ...body });
  if (isDomainError(data)) return data;
  return { type: entry.type, clientId, campaignId: data.id ?? CAMPAIGN, data } as CampaignCommand;
};

/** The seed's POST body (seed 000), dated 2030. */
export const seedBody = seedPostBody;

/** The seed body with some fields replaced. */
export const seedWith = (change: object) => ({ ...seedBody(), ...change });

/** The events of a campaign created from `body`, decided for real. */
export const created = (body: object = seedBody(), clientId = CLIENT): readonly CampaignEvent[] =>
  spec
    .given([])
    .when(command("create-campaign", body, clientId))
    .events();

export type AttemptReport = {
  number: string;
  attemptNumber: number;
  outcome: number;
  occurredAt: string;
};
export const recordOutcome = (report: AttemptReport) => command("record-attempt-outcome", report);
export const recordStage = (report: {
  number: string;
  attemptNumber: number;
  stage: number;
  occurredAt: string;
}) => command("record-stage-reached", report);

/** `given` followed by the events of each command, each decided for real on the log before it. */
export const after = (
  given: readonly CampaignEvent[],
  ...commands: (CampaignCommand | DomainError)[]
): readonly CampaignEvent[] =>
  commands.reduce<readonly CampaignEvent[]>(
    (log, next) => [...log, ...spec.given(log).when(next).events()],
    given,
  );

/** One of each command addressed to an existing campaign (create aside), by name, as `clientId` sends it. */
export const commandsOnTheCampaign = (
  clientId = CLIENT,
): [CampaignCommandName, CampaignCommand | DomainError][] =>
  (
    [
      ["update-campaign", seedBody()],
      ["delete-campaign", {}],
      ["pause-campaign", {}],
      ["resume-campaign", {}],
      ["add-phone-numbers", { phoneNumbers: [{ number: "07722000001" }] }],
      [
        "record-attempt-outcome",
        { number: "07722123456", attemptNumber: 1, outcome: 1, occurredAt: "2030-10-01T08:30:00Z" },
      ],
      [
        "record-stage-reached",
        { number: "07722123456", attemptNumber: 1, stage: 1, occurredAt: "2030-10-01T08:30:00Z" },
      ],
    ] as const
  ).map(([name, body]) => [name, command(name, body, clientId)]);

/** The `next` step an AttemptOutcomeRecorded decided, or undefined. */
export const nextStepOf = (events: readonly CampaignEvent[]) => {
  const recorded = events.find((e) => e.type === "AttemptOutcomeRecorded");
  return recorded?.type === "AttemptOutcomeRecorded" ? recorded.data.next : undefined;
};

// ---------------------------------------------------------- client directory

export const directorySpec = DeciderSpecification.for(directoryDecider, {
  defaultRegion: "GB",
} satisfies DirectoryContext);

export const directoryCommand = (
  name: DirectoryCommandName,
  body: object,
  clientId = CLIENT,
): DirectoryCommand | DomainError => {
  const entry = directoryCommands[name];
  const data = parseWith(entry.schema, body);
  if (isDomainError(data)) return data;
  return { type: entry.type, clientId, data } as DirectoryCommand;
};

export type { CampaignEvent, DirectoryEvent };
