/**
 * Subjects fixed by CONTRACT.md. The tenant is the second token and comes
 * from nowhere else; NATS permissions on `campaigns.<client>.>` keep tenants apart.
 */
export const SUBJECT_ROOT = "campaigns";
export const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

export const commandSubject = (clientId: string, name: string) => `${SUBJECT_ROOT}.${clientId}.cmd.${name}`;
export const querySubject = (clientId: string, name: string) => `${SUBJECT_ROOT}.${clientId}.query.${name}`;
export const eventSubject = (clientId: string, campaignId: string, type: string) =>
  `${SUBJECT_ROOT}.${clientId}.events.${campaignId}.${type}`;

/** The tenant of a request subject, or undefined when the token is not a valid client id. */
export function tenantOf(subject: string): string | undefined {
  const tokens = subject.split(".");
  const tenant = tokens[1];
  return tokens.length === 4 && tenant !== undefined && TENANT.test(tenant) ? tenant : undefined;
}
