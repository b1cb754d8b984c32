import { type DomainError, domainError } from "../domain/index.js";

/** The request headers the service reads (CONTRACT.md), by the field they fill. */
export const requestHeaderNames = {
  commandId: "Command-Id",
  correlationId: "Correlation-Id",
  traceparent: "traceparent",
} as const;
export type RequestHeaders = { -readonly [K in keyof typeof requestHeaderNames]?: string };

/** 1 to 200 printable ASCII characters: no line breaks, no control characters, nothing outside ASCII. */
const VALID_VALUE = /^[\x20-\x7e]{1,200}$/;

/**
 * The request headers, from a lookup that ignores letter case; an empty value
 * is absent, an invalid one is a 400 naming the header (its value is not echoed:
 * it may not even be printable).
 */
export function readRequestHeaders(
  get: (name: string) => string | undefined,
): RequestHeaders | DomainError {
  const headers: RequestHeaders = {};
  const invalid: { field: string; reason: string }[] = [];
  for (const [field, name] of Object.entries(requestHeaderNames) as [
    keyof RequestHeaders,
    string,
  ][]) {
    const value = get(name);
    if (value === undefined || value === "") continue;
    if (VALID_VALUE.test(value)) headers[field] = value;
    else
      invalid.push({
        field: name,
        reason: `must be 1 to 200 printable ASCII characters (got ${value.length} characters${/[\r\n]/.test(value) ? " with a line break" : ""})`,
      });
  }
  return invalid.length === 0
    ? headers
    : domainError(
        "invalid_request",
        `invalid request header${invalid.length === 1 ? "" : "s"}: ${invalid.map((d) => d.field).join(", ")}`,
        invalid,
      );
}

/** Headers that cannot even be read (a raw client sent a malformed block). */
export const unreadableHeaders = (): DomainError =>
  domainError("invalid_request", "the request's headers cannot be read", [
    {
      field: "headers",
      reason: "each header is one line `Name: value`, values without line breaks",
    },
  ]);
