import type { z } from "zod";
import { type DomainError, domainError } from "./errors.js";

/** Parses a message with its schema; a failure is a 400 naming every offending field. */
export const parseWith = <S extends z.ZodType>(
  schema: S,
  input: unknown,
): z.output<S> | DomainError => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  return domainError(
    "invalid_request",
    "the request does not match its schema",
    result.error.issues.map((issue) => ({
      field: issue.path.join(".") || "(body)",
      reason: issue.message,
    })),
  );
};
