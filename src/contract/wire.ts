import type { DomainError } from "../domain/index.js";
import { errorStatus } from "../domain/index.js";

/**
 * The one JSON rule for bigints (revisions and positions are bigints inside):
 * a number up to 2^53, a string of digits beyond. Every serialiser uses it.
 */
export const bigintReplacer = (_key: string, v: unknown) =>
  typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;

/**
 * JSON on the wire, by the rule above. The replacer is slow on large bodies,
 * so it runs only when a plain stringify meets a bigint.
 */
export const toJson = (value: unknown): string => {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof TypeError && /BigInt/.test(error.message))
      return JSON.stringify(value, bigintReplacer);
    throw error;
  }
};

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(toJson(value));

export type Decoded = { ok: true; value: unknown } | { ok: false; reason: string };

/** Decodes a request body; an empty body is `{}` only where the caller allows it. */
export function decodeJson(data: Uint8Array, emptyAs?: unknown): Decoded {
  if (data.length === 0)
    return emptyAs === undefined
      ? { ok: false, reason: "the body is empty; a JSON object is required" }
      : { ok: true, value: emptyAs };
  try {
    return { ok: true, value: JSON.parse(decoder.decode(data)) };
  } catch (error) {
    return { ok: false, reason: `the body is not JSON: ${(error as Error).message}` };
  }
}

/**
 * The error body the contract fixes: `{ code, message, details }`, status in
 * the service-error headers. Details that would not fit `maxBytes` (one NATS
 * reply) are cut after the first ones that do, and `detailsOmitted` says how
 * many were left out.
 */
export const errorBody = (error: DomainError, maxBytes = Infinity) => {
  const { details, omitted } = fitDetails(
    error.details,
    maxBytes - encoder.encode(error.message).length - 128,
  );
  return {
    code: error.code,
    message: error.message,
    details,
    ...(omitted > 0 ? { detailsOmitted: omitted } : {}),
  };
};

const fitDetails = <D>(
  details: readonly D[],
  maxBytes: number,
): { details: readonly D[]; omitted: number } => {
  if (maxBytes === Infinity) return { details, omitted: 0 };
  let bytes = 2;
  let kept = 0;
  for (const detail of details) {
    bytes += encoder.encode(JSON.stringify(detail)).length + 1;
    if (bytes > maxBytes) break;
    kept++;
  }
  return kept === details.length
    ? { details, omitted: 0 }
    : { details: details.slice(0, kept), omitted: details.length - kept };
};
export const statusOf = (error: DomainError): number => errorStatus[error.code];
