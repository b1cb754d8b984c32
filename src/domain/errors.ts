/**
 * Errors are values. Each code maps to one of the contract's status codes,
 * so adapters translate them without knowing any rule.
 */
export const errorStatus = {
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  /** A Command-Id already used for another command of the client (CONTRACT: Command-Id). */
  command_id_reused: 409,
  rule_violated: 422,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export type ErrorDetail = {
  /** Dotted path of the offending field, e.g. `phoneNumbers.3.number`. */
  field?: string;
  /** Index of the offending phone number in the command, when it is one. */
  index?: number;
  number?: string;
  reason: string;
};

export type DomainError = {
  readonly kind: "DomainError";
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
};

export const domainError = (
  code: ErrorCode,
  message: string,
  details: readonly ErrorDetail[] = [],
): DomainError => ({
  kind: "DomainError",
  code,
  message,
  details,
});

export const isDomainError = (value: unknown): value is DomainError =>
  typeof value === "object" &&
  value !== null &&
  (value as { kind?: unknown }).kind === "DomainError";

export const notFound = (what: string, id: string): DomainError =>
  domainError("not_found", `${what} ${id} not found`, [
    { field: "id", reason: `no ${what} with id ${id}` },
  ]);
