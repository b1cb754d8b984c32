/** The Command-Id claim rules every adapter applies before writing. */
import {
  type AnswerTaken,
  CommandAnsweredError,
  type ClaimedFor,
  type CommandClaim,
  CommandIdReusedError,
  StoreRejectedError,
} from "../../ports/event-store.js";

/**
 * The claim rule every adapter applies before writing: a Command-Id already
 * claimed by another command (another fingerprint) refuses the append, and so
 * does one the same command took with an answer and no events (it was a no-op:
 * its repeat is answered the same). The same command again passes otherwise:
 * where the claim is taken ahead of the events (EventStoreDB) it may be held
 * without them, and the expected revision refuses an append of events already
 * in the stream.
 */
export function checkClaim(claim: CommandClaim | undefined, first: ClaimedFor | undefined): void {
  if (claim === undefined || first === undefined) return;
  if (first.fingerprint !== claim.fingerprint) throw new CommandIdReusedError(claim, first);
  if (first.answer !== undefined) throw new CommandAnsweredError(claim, first.answer);
}

/**
 * What stands for a Command-Id about to be answered without events, where
 * the store holds it already: another command's refuses it, the same
 * command's earlier answer (or its events) wins. Undefined: the id is free.
 */
export function standingAnswer(
  claim: CommandClaim,
  first: ClaimedFor | undefined,
): AnswerTaken | undefined {
  if (first === undefined) return undefined;
  if (first.fingerprint !== claim.fingerprint) throw new CommandIdReusedError(claim, first);
  return first.answer === undefined
    ? { kind: "written" }
    : { kind: "answered", answer: first.answer };
}

/**
 * The claim rule where claims are written in one transaction with their
 * events (memory, SQLite): a claim held means its command's events are
 * stored. Besides checkClaim's refusal, the same command again, not
 * recognised as a retry of its own append (priorAppend), would store its
 * events twice: refused, writing nothing.
 */
export function checkClaimWithEvents(claim: CommandClaim, first: ClaimedFor | undefined): void {
  checkClaim(claim, first);
  if (first !== undefined)
    throw new StoreRejectedError(
      "conflict",
      `Command-Id ${claim.commandId} of client ${claim.clientId} already has its events in ${first.streamId}`,
    );
}

/** The key of a claim in a store's index. */
export const claimKey = (claim: Pick<CommandClaim, "clientId" | "commandId">): string =>
  `${claim.clientId}\u0000${claim.commandId}`;
