import type { ClientExclusions } from "../exclusions/client-list.js";

/** What deciding a campaign command needs from outside the campaign's own stream. */
export type CampaignContext = {
  /** The decision's "now" (ISO-8601), from the caller's clock. */
  readonly now: string;
  readonly defaultRegion: string;
  readonly defaultTimeZone: string;
  /** Call flow and CLI ids registered for the command's client. */
  readonly callFlowIds: ReadonlySet<number>;
  readonly cliIds: ReadonlySet<number>;
  /** The client's exclusion list, as of the decision (stream `exclusions-<clientId>`). */
  readonly clientExclusions: ClientExclusions;
};
