import { type DomainError, domainError } from "../domain/index.js";
import { StoreRejectedError } from "../ports/event-store.js";

/**
 * The answer to a request whose handling threw. 503 only where a retry can
 * succeed (a store or NATS away, a timeout); a store's refusal of what the
 * request is (StoreRejectedError) is its 4xx, since a retry would meet it again.
 */
export const answerToFailure = (error: unknown): DomainError =>
  error instanceof StoreRejectedError
    ? domainError(error.code, error.message, [
        { reason: "refused by the event store; a retry would be refused the same way" },
      ])
    : domainError(
        "unavailable",
        "the request could not be completed; retry it with the same Command-Id",
        [],
      );

/** Whether an answer is "retry later", so worth logging as a failure rather than a refusal. */
export const isRetryable = (error: DomainError): boolean => error.code === "unavailable";
