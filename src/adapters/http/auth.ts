/**
 * API keys (`API_KEYS=key1:clientA,...`): `Authorization: Bearer <key>` or
 * `X-Api-Key: <key>` names the client, and the client is taken from the key
 * and from nowhere else (never from the path or the body).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export type KeyResolver = (headers: IncomingHttpHeaders) => string | undefined;

const digest = (key: string) => createHash("sha256").update(key).digest();

/** Compares digests in constant time, over every key, so a wrong key's timing says nothing about right ones. */
export function keyResolver(apiKeys: ReadonlyMap<string, string>): KeyResolver {
  const entries = [...apiKeys].map(([key, clientId]) => ({ digest: digest(key), clientId }));
  return (headers) => {
    const presented = presentedKey(headers);
    if (presented === undefined) return undefined;
    const candidate = digest(presented);
    let found: string | undefined;
    for (const entry of entries)
      if (timingSafeEqual(entry.digest, candidate)) found = entry.clientId;
    return found;
  };
}

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const apiKey = headers["x-api-key"];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
