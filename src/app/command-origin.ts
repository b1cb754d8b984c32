import { createHash } from "node:crypto";
import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import type { EventMetadata } from "../ports/event-store.js";
import type { Reservation } from "../ports/command-reservations.js";

/** Namespace for ids derived from a client's Command-Id (campaign ids and event ids). */
export const COMMAND_NAMESPACE = "6f1c2a52-5d0e-4a43-9a55-0c8b8a3c2f11";

/**
 * What identifies a command sent with a `Command-Id`: the id is its client's,
 * for good, and names this command only (its name, `command`, and the
 * fingerprint of its body): the reservation it takes, and the key of its
 * stream's index.
 */
export type CommandIdentity = Reservation & { readonly key: string };

/** The key of a Command-Id in a stream's index: it is only ever its own client's. */
export const commandKey = ({ clientId, commandId }: Pick<Reservation, "clientId" | "commandId">) =>
  `${clientId}\u0000${commandId}`;

/** What the write side needs to know of where a command came from, without its transport. */
export type CommandOrigin = {
  /** Carried by every event the command writes. */
  readonly metadata: EventMetadata;
  readonly identity: CommandIdentity | undefined;
};

export type CommandSource = {
  name: string;
  clientId: string;
  body: unknown;
  commandId?: string | undefined;
  correlationId?: string | undefined;
  traceparent?: string | undefined;
};

export const commandOrigin = (source: CommandSource): CommandOrigin => {
  const identity =
    source.commandId === undefined
      ? undefined
      : {
          clientId: source.clientId,
          commandId: source.commandId,
          command: source.name,
          fingerprint: fingerprintOf(source.name, source.body),
          key: commandKey({ clientId: source.clientId, commandId: source.commandId }),
        };
  return {
    identity,
    metadata: {
      clientId: source.clientId,
      ...(identity === undefined
        ? {}
        : {
            commandId: identity.commandId,
            causationId: identity.commandId,
            commandName: identity.command,
            commandFingerprint: identity.fingerprint,
          }),
      ...(source.correlationId === undefined ? {} : { correlationId: source.correlationId }),
      ...(source.traceparent === undefined ? {} : { traceparent: source.traceparent }),
    },
  };
};

/** With a Command-Id the id is derived from it, so a retried create lands on the same stream and is recognised. */
export const newCampaignId = (clientId: string, commandId: string | undefined): string =>
  commandId === undefined ? uuidv7() : uuidv5(`${clientId}:${commandId}`, COMMAND_NAMESPACE);

/** SHA-256 of the name and the body with its keys sorted (so key order does not make another command), base64url. */
export const fingerprintOf = (name: string, body: unknown): string =>
  createHash("sha256")
    .update(name)
    .update("\u0000")
    .update(canonicalJson(body))
    .digest("base64url");

const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
};
