import type { DomainError } from "./errors.js";

/**
 * The shape every aggregate in the domain follows (after Emmett's Decider):
 * pure functions over immutable data. Anything from the outside world
 * (the clock, the client's registered call flows, fresh ids) comes in `context`.
 */
export type Decider<Command, Event, State, Context> = {
  decide: (command: Command, state: State, context: Context) => readonly Event[] | DomainError;
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
};

/** Folds events into state, starting from `state` (the decider's initial state by default). */
export const fold = <Event, State>(
  evolve: (state: State, event: Event) => State,
  state: State,
  events: Iterable<Event>,
): State => {
  let current = state;
  for (const event of events) current = evolve(current, event);
  return current;
};
