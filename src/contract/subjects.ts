/**
 * Subjects fixed by CONTRACT.md. The tenant is the second token and comes
 * from nowhere else; NATS permissions on `campaigns.<client>.>` keep tenants apart.
 */
import { IDENTIFIER_PATTERN } from "../domain/index.js";

export const SUBJECT_ROOT = "campaigns";
/** A tenant (client id) token: `[A-Za-z0-9_-]{1,64}`, spelled as every id is. */
export const TENANT = IDENTIFIER_PATTERN;
/** The tenant pattern as messages quote it, without its anchors. */
export const TENANT_TEXT = TENANT.source.replace(/^\^|\$$/g, "");

export const commandSubject = (clientId: string, name: string) =>
  `${SUBJECT_ROOT}.${clientId}.cmd.${name}`;
export const querySubject = (clientId: string, name: string) =>
  `${SUBJECT_ROOT}.${clientId}.query.${name}`;
export const eventSubject = (clientId: string, campaignId: string, type: string) =>
  `${SUBJECT_ROOT}.${clientId}.events.${campaignId}.${type}`;

/** The tenant of a request subject, or undefined when the token is not a valid client id. */
export function tenantOf(subject: string): string | undefined {
  const tokens = subject.split(".");
  const tenant = tokens[1];
  return tokens.length === 4 && tenant !== undefined && TENANT.test(tenant) ? tenant : undefined;
}
