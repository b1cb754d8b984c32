import type { CommandAnswer, Position, RecordedEvent } from "../ports/event-store.js";
import { type DomainError, domainError } from "../domain/index.js";
import { type CommandIdentity, commandKey } from "./command-origin.js";

/**
 * What one command wrote to a stream: enough to rebuild its reply when it is
 * repeated; for a command answered without events, its answer (its revisions
 * are then -1).
 */
export type CommandRecord = {
  readonly fromRevision: bigint;
  readonly toRevision: bigint;
  /** 0 while its append is in flight. */
  readonly position: Position;
  /** The command's name and fingerprint; absent for events written before they were recorded. */
  readonly name: string | undefined;
  readonly fingerprint: string | undefined;
  readonly answer?: CommandAnswer | undefined;
};

/** Adds a stored event to a stream's command index, from the Command-Id its metadata carries. */
export const indexCommand = (commands: Map<string, CommandRecord>, event: RecordedEvent): void => {
  const { commandId, clientId, commandName, commandFingerprint } = event.metadata;
  if (typeof commandId !== "string" || typeof clientId !== "string") return;
  const key = commandKey(clientId, commandId);
  const known = commands.get(key);
  commands.set(key, {
    fromRevision: known?.fromRevision ?? event.revision,
    toRevision: event.revision,
    position: event.position,
    name: typeof commandName === "string" ? commandName : undefined,
    fingerprint: typeof commandFingerprint === "string" ? commandFingerprint : undefined,
  });
};

/** Where a Command-Id was first used. */
export type FirstUse = { command: string | undefined; streamId: string };

/** 409: the Command-Id already names another command of this client; nothing is written. */
export const commandIdReused = (
  identity: Pick<CommandIdentity, "commandId">,
  first: FirstUse,
): DomainError => {
  const what = `${first.command ?? "another command"} on ${describeStream(first.streamId)}`;
  return domainError(
    "command_id_reused",
    `Command-Id ${identity.commandId} was already used for ${what}; send a new Command-Id for a new command`,
    [{ field: "Command-Id", reason: `first used for ${what}` }],
  );
};

const describeStream = (streamId: string): string =>
  streamId.startsWith("campaign-")
    ? `campaign ${streamId.slice("campaign-".length)}`
    : streamId.startsWith("client-")
      ? "the client's directory"
      : `stream ${streamId}`;
