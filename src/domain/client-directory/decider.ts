import { match } from "ts-pattern";
import type { Decider } from "../decider.js";
import { type DomainError, domainError } from "../errors.js";
import { normalisePhoneNumber } from "../phone-number.js";
import type { DirectoryCommand } from "./commands.js";
import type { DirectoryEvent } from "./events.js";

export type ClientDirectory = {
  readonly callFlows: ReadonlyMap<number, string>;
  readonly clis: ReadonlyMap<number, { readonly number: string; readonly e164: string }>;
};
export type DirectoryContext = { readonly defaultRegion: string };

const initialState = (): ClientDirectory => ({ callFlows: new Map(), clis: new Map() });

/** Registering is an upsert: the same registration again changes nothing; new details replace the old. */
const decide = (
  command: DirectoryCommand,
  state: ClientDirectory,
  context: DirectoryContext,
): DirectoryEvent[] | DomainError =>
  match(command)
    .with({ type: "RegisterCallFlow" }, ({ data }) =>
      state.callFlows.get(data.callFlowId) === data.name
        ? []
        : [{ type: "CallFlowRegistered" as const, data }],
    )
    .with({ type: "RegisterCli" }, ({ data }) => {
      // A caller ID may come from a reserved range (e.g. 01632 drama numbers), so only its shape is
      // checked.
      const normalised = normalisePhoneNumber(data.number, context.defaultRegion, "possible");
      if (!normalised.ok)
        return domainError("rule_violated", `${data.number} is not a usable caller ID`, [
          { field: "number", number: data.number, reason: normalised.reason },
        ]);
      const existing = state.clis.get(data.cliId);
      if (existing?.number === data.number) return [];
      return [
        {
          type: "CliRegistered" as const,
          data: { cliId: data.cliId, number: data.number, e164: normalised.e164 },
        },
      ];
    })
    .exhaustive();

const evolve = (state: ClientDirectory, event: DirectoryEvent): ClientDirectory =>
  match(event)
    .with({ type: "CallFlowRegistered" }, ({ data }) => ({
      ...state,
      callFlows: new Map(state.callFlows).set(data.callFlowId, data.name),
    }))
    .with({ type: "CliRegistered" }, ({ data }) => ({
      ...state,
      clis: new Map(state.clis).set(data.cliId, { number: data.number, e164: data.e164 }),
    }))
    .exhaustive();

export const directoryDecider: Decider<
  DirectoryCommand,
  DirectoryEvent,
  ClientDirectory,
  DirectoryContext
> = { decide, evolve, initialState };
export const directoryStreamId = (clientId: string): string => `client-${clientId}`;
