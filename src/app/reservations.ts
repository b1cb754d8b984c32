/**
 * Command-Id reservations, the rule in one place (CONTRACT: Command-Id). A
 * Command-Id names one command (name and body) of one client, for good:
 * - the same command again is a repeat, answered with the first reply and
 *   writing nothing (rebuilt from the events it wrote, or, for a command that
 *   wrote nothing, the answer kept with its reservation);
 * - another command under it is a 409 `command_id_reused` naming the first use;
 * - a command whose append failed for another command's reservation (one
 *   append, several commands) is decided again: a retry.
 * Each stream keeps an index of the commands written to it (from the events'
 * metadata), so a repeat on its own stream costs no look-up; the store keeps
 * the reservations client-wide (ports/command-reservations.ts).
 */
import type { Position, RecordedEvent } from "../ports/event-store.js";
import {
  type CommandAnswer,
  CommandAnsweredError,
  CommandIdReusedError,
  type Reservation,
  type Reserved,
} from "../ports/command-reservations.js";
import { type DomainError, domainError } from "../domain/index.js";
import { type CommandIdentity, commandKey } from "./command-origin.js";

/**
 * What one command did on a stream: the revisions it wrote (to rebuild its
 * reply when repeated), or the answer it got without events.
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

/** What the rule makes of a command sent with a Command-Id that is already held. */
export type Verdict =
  | { kind: "refused"; error: DomainError }
  | { kind: "repeat"; answer: CommandAnswer }
  | { kind: "retry" };

/** Adds a stored event to a stream's index, from the Command-Id its metadata carries. */
export const indexCommand = (commands: Map<string, CommandRecord>, event: RecordedEvent): void => {
  const { commandId, clientId, commandName, commandFingerprint } = event.metadata;
  if (typeof commandId !== "string" || typeof clientId !== "string") return;
  const key = commandKey({ clientId, commandId });
  const known = commands.get(key);
  commands.set(key, {
    fromRevision: known?.fromRevision ?? event.revision,
    toRevision: event.revision,
    position: event.position,
    name: typeof commandName === "string" ? commandName : undefined,
    fingerprint: typeof commandFingerprint === "string" ? commandFingerprint : undefined,
  });
};

/** A command answered without events, as its stream's index keeps it (no revisions of its own). */
export const answeredRecord = (
  identity: CommandIdentity,
  answer: CommandAnswer,
): CommandRecord => ({
  fromRevision: -1n,
  toRevision: -1n,
  position: answer.position,
  name: identity.command,
  fingerprint: identity.fingerprint,
  answer,
});

/** A command found in its stream's index: another command's id, an answer, or events to rebuild the reply from. */
export const knownCommand = (
  record: CommandRecord,
  identity: CommandIdentity,
  streamId: string,
): Verdict | { kind: "written"; record: CommandRecord } => {
  if (record.fingerprint !== undefined && record.fingerprint !== identity.fingerprint)
    return refusedAsReused(identity, { command: record.name, streamId });
  if (record.answer !== undefined) return { kind: "repeat", answer: record.answer };
  return { kind: "written", record };
};

/**
 * An append refused for a reservation: this command's refusal or repeat, or
 * (another command's, in the same append) a retry. Undefined: the failure is
 * not a reservation's.
 */
export const reservationRefused = (
  error: unknown,
  identity: CommandIdentity | undefined,
): Verdict | undefined => {
  if (error instanceof CommandIdReusedError)
    return isOf(identity, error.reservation)
      ? refusedAsReused(identity!, error.first)
      : { kind: "retry" };
  if (error instanceof CommandAnsweredError)
    return isOf(identity, error.reservation)
      ? { kind: "repeat", answer: error.answer }
      : { kind: "retry" };
  // A reservation lost for good is its own command's refusal (a StoreRejectedError, answered as
  // its 409); the others in its append decide again.
  const lost = (error as { reservation?: Reservation }).reservation;
  if (lost !== undefined && !isOf(identity, lost)) return { kind: "retry" };
  return undefined;
};

/**
 * A refusal under a Command-Id held before: the repeat of a command answered
 * then (the state has moved on since), another command's id, or the refusal.
 */
export const refusalUnder = (
  first: Reserved | undefined,
  identity: CommandIdentity,
  refusal: DomainError,
): Verdict => {
  if (first === undefined) return { kind: "refused", error: refusal };
  if (first.fingerprint !== identity.fingerprint) return refusedAsReused(identity, first);
  return first.answer === undefined
    ? { kind: "refused", error: refusal }
    : { kind: "repeat", answer: first.answer };
};

/** 409: the Command-Id already names another command of this client; nothing is written. */
export const refusedAsReused = (
  identity: Pick<CommandIdentity, "commandId">,
  first: { command: string | undefined; streamId: string },
): Verdict => {
  const what = `${first.command ?? "another command"} on ${describeStream(first.streamId)}`;
  return {
    kind: "refused",
    error: domainError(
      "command_id_reused",
      `Command-Id ${identity.commandId} was already used for ${what}; send a new Command-Id for a new command`,
      [{ field: "Command-Id", reason: `first used for ${what}` }],
    ),
  };
};

const isOf = (identity: CommandIdentity | undefined, reservation: Reservation): boolean =>
  identity !== undefined &&
  identity.clientId === reservation.clientId &&
  identity.commandId === reservation.commandId;

const describeStream = (streamId: string): string =>
  streamId.startsWith("campaign-")
    ? `campaign ${streamId.slice("campaign-".length)}`
    : streamId.startsWith("client-")
      ? "the client's directory"
      : `stream ${streamId}`;
