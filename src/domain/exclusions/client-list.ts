import { List } from "immutable";
import { match } from "ts-pattern";
import type { Decider } from "../decider.js";
import type { DomainError } from "../errors.js";
import type { ClientExclusionsCommand } from "./commands.js";
import type { ExclusionListEvent } from "./events.js";
import {
  type ExclusionList,
  type SubmittedExclusion,
  admitExclusions,
  emptyExclusionList,
  onTheList,
  withAdded,
  withRemoved,
} from "./list.js";

/**
 * The client's exclusion list, stream `exclusions-<clientId>` (its own stream,
 * not the directory's: a list may hold a million numbers, and every create
 * reads the directory). `version` counts the events folded, and `additions`
 * keeps the numbers each one added, so a campaign that has applied the list
 * up to version v checks only what came after (`addedSince`).
 */
export type ClientExclusions = {
  readonly entries: ExclusionList;
  readonly version: number;
  readonly additions: List<readonly string[]>;
};
export type ClientExclusionsContext = { readonly now: string; readonly defaultRegion: string };

export const emptyClientExclusions = (): ClientExclusions => ({
  entries: emptyExclusionList(),
  version: 0,
  additions: List(),
});

/** The numbers added after version `version`, newest last (a number may appear more than once). */
export const addedSince = (list: ClientExclusions, version: number): string[] =>
  list.additions.slice(Math.max(0, version)).toArray().flat();

const decide = (
  command: ClientExclusionsCommand,
  state: ClientExclusions,
  context: ClientExclusionsContext,
): ExclusionListEvent[] | DomainError =>
  match(command)
    .with({ type: "AddExclusions" }, ({ data }) => {
      const added = admitExclusions(
        data.numbers,
        state.entries,
        context.now,
        context.defaultRegion,
      );
      return added.entries.length === 0 ? [] : [{ type: "ExclusionsAdded" as const, data: added }];
    })
    .with({ type: "RemoveExclusions" }, ({ data }) => {
      const numbers = onTheList(data.numbers, state.entries, context.defaultRegion);
      return numbers.length === 0
        ? []
        : [{ type: "ExclusionsRemoved" as const, data: { numbers } }];
    })
    .exhaustive();

const evolve = (state: ClientExclusions, event: ExclusionListEvent): ClientExclusions =>
  match(event)
    .with({ type: "ExclusionsAdded" }, ({ data }) => ({
      entries: withAdded(state.entries, data),
      version: state.version + 1,
      additions: state.additions.push(data.entries.map((entry) => entry.e164)),
    }))
    .with({ type: "ExclusionsRemoved" }, ({ data }) => ({
      entries: withRemoved(state.entries, data.numbers),
      version: state.version + 1,
      additions: state.additions.push([]),
    }))
    .exhaustive();

export const clientExclusionsDecider: Decider<
  ClientExclusionsCommand,
  ExclusionListEvent,
  ClientExclusions,
  ClientExclusionsContext
> = {
  decide,
  evolve,
  initialState: emptyClientExclusions,
};
export const clientExclusionsStreamId = (clientId: string): string => `exclusions-${clientId}`;

/**
 * The reply to add-exclusions / remove-exclusions: from the event written, so
 * a repeat (same Command-Id) gets the first reply; when nothing was written,
 * from the list as it stands (what the decision saw).
 */
export const exclusionsReply = (
  command: {
    type: "AddExclusions" | "RemoveExclusions";
    data: { numbers: readonly (string | SubmittedExclusion)[] };
  },
  events: readonly { type: string; data: unknown }[],
  list: ExclusionList,
  context: ClientExclusionsContext,
) => {
  if (command.type === "RemoveExclusions") {
    const removed = events.find((e) => e.type === "ExclusionsRemoved")?.data as
      { numbers: string[] } | undefined;
    return { removed: removed?.numbers.length ?? 0 };
  }
  const written = events.find((e) => e.type === "ExclusionsAdded")?.data as AddedData | undefined;
  const added =
    written ??
    admitExclusions(
      command.data.numbers as SubmittedExclusion[],
      list,
      context.now,
      context.defaultRegion,
    );
  return {
    added: added.entries.length,
    alreadyExcluded: added.alreadyExcluded,
    invalid: added.invalid,
  };
};

type AddedData = Extract<ExclusionListEvent, { type: "ExclusionsAdded" }>["data"];
