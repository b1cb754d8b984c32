/**
 * `campaigns history` and `campaigns state`: the audit timeline and the state
 * as of a moment, read over NATS with the typed client (get-campaign-history,
 * paged to the end; get-campaign-state-at).
 */
import type { CampaignsClient } from "../client/campaigns-client.js";
import { toJson } from "../contract/wire.js";
import { table } from "./table.js";
import type { Output } from "./progress-bar.js";

type HistoryEvent = Awaited<ReturnType<CampaignsClient["getCampaignHistory"]>>["events"][number];
/** Every campaign event type, as the contract lists them. */
type CampaignEventType = HistoryEvent["type"];

const PAGE = 1000;

/**
 * Pages through the whole timeline. A page whose reply would exceed the NATS
 * max payload comes back marked `truncated` (events of big imports are large):
 * that page is asked for again with half the limit.
 */
export async function readHistory(
  client: CampaignsClient,
  id: string,
  fromRevision = 0,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let next: number | null = fromRevision;
  let limit = PAGE;
  while (next !== null) {
    const page = (await client.getCampaignHistory({ id, fromRevision: next, limit })) as
      Awaited<ReturnType<CampaignsClient["getCampaignHistory"]>> | { truncated: true };
    if ("truncated" in page) {
      if (limit === 1)
        throw new Error(
          `event ${next} of campaign ${id} is larger than the NATS max payload; read it from the store`,
        );
      limit = Math.max(1, Math.floor(limit / 2));
      continue;
    }
    events.push(...page.events);
    next = page.nextRevision;
  }
  return events;
}

type Data = Record<string, any>;
const count = (n: number, what: string) =>
  `${n.toLocaleString("en-GB")} ${what}${n === 1 ? "" : "s"}`;
/** How many numbers a stored list holds: a table's rows (docs/architecture.md "Event encoding"), or an older event's list. */
const size = (list: unknown): number =>
  Array.isArray(list)
    ? list.length
    : ((list as { rows?: unknown[] } | undefined)?.rows?.length ?? 0);

/** Up to three of a list's numbers, then how many more. */
const some = (numbers: readonly string[]): string =>
  numbers.length === 0
    ? ""
    : `: ${numbers.slice(0, 3).join(", ")}${numbers.length > 3 ? ` and ${numbers.length - 3} more` : ""}`;
/** The numbers of a stored list of entries (a table's `e164` or `number` column, or an older list). */
const numbersOf = (list: unknown, column: string): string[] => {
  if (Array.isArray(list)) return list.map((e) => String((e as Data)[column] ?? e));
  const { columns, rows } = (list ?? {}) as { columns?: string[]; rows?: unknown[][] };
  const at = columns?.indexOf(column) ?? -1;
  // A table keeps E.164 as its digits (docs/architecture.md "Event encoding"): shown with its "+".
  return at < 0
    ? []
    : (rows ?? []).map((row) => (column === "e164" ? `+${String(row[at])}` : String(row[at])));
};

/**
 * One line per event type of what an auditor wants to see. Every type has one: a new event type
 * does not compile until it says how it reads.
 */
const describers: Record<CampaignEventType, (d: Data) => string> = {
  CampaignCreated: (d) =>
    `"${d.settings?.name}" ${d.settings?.startDate} ${d.settings?.startTime}-${d.settings?.finishTime} ${d.settings?.timeZone}, call flow ${d.settings?.callflow_Id}, CLI ${d.settings?.cli_Id}`,
  CampaignUpdated: (d) =>
    `"${d.settings?.name}" replaced: ${count(size(d.numbers), "number")}, ${count(size(d.duplicates), "duplicate")}`,
  PhoneNumbersAdded: (d) =>
    `+${count(size(d.numbers), "number")}, ${count(size(d.duplicates), "duplicate")} skipped`,
  InvalidPhoneNumbersIgnored: (d) => `${count(size(d.ignored), "invalid number")} ignored`,
  CampaignPaused: () => "",
  CampaignResumed: () => "",
  CampaignDeleted: () => "",
  AttemptOutcomeRecorded: (d) =>
    `${d.e164} attempt ${d.attemptNumber}: ${d.outcomeName} (${d.outcome}) -> ${d.next?.status === "retry" ? `retry #${d.next.attemptNumber} at ${d.next.dueAt}` : d.next?.result}${d.claimWasNotHeld ? " (its claim had lapsed)" : ""}`,
  SmsRequested: (d) => `SMS to ${d.e164} after attempt ${d.attemptNumber}`,
  StageReached: (d) => `${d.e164} attempt ${d.attemptNumber}: ${d.stageName} (${d.stage})`,
  NumberOptedOut: (d) => `${d.e164} opted out at attempt ${d.attemptNumber}`,
  ExclusionsAdded: (d) =>
    `+${count(size(d.entries), "number")} on the campaign's exclusion list${some(numbersOf(d.entries, "e164"))}${d.alreadyExcluded ? `; ${count(d.alreadyExcluded, "number")} already there` : ""}${size(d.invalid) ? `; ${count(size(d.invalid), "invalid number")}` : ""}`,
  ExclusionsRemoved: (d) =>
    `-${count(size(d.numbers), "number")} from the campaign's exclusion list${some(numbersOf(d.numbers, "e164"))}`,
  ExcludedPhoneNumbersSkipped: (d) =>
    `${count(size(d.excluded), "number")} left out, on an exclusion list${some(numbersOf(d.excluded, "e164"))}`,
  NumbersExcluded: (d) =>
    `${count(size(d.numbers), "number")} completed as excluded by the ${d.list === "client" ? "client's" : "campaign's"} list${some(numbersOf(d.numbers, "e164"))}`,
  ClientExclusionsApplied: (d) => `the client's exclusion list applied up to version ${d.version}`,
  AttemptsClaimed: (d) =>
    `${count(size(d.claims), "attempt")} claimed until ${d.claimedUntil}${some(numbersOf(d.claims, "e164"))}`,
  ClaimsReleased: (d) =>
    `${count(size(d.numbers), "claim")} released${some(numbersOf(d.numbers, "e164"))}${size(d.notHeld) ? `; ${count(size(d.notHeld), "number")} not held` : ""}`,
};

export const describe = (event: Pick<HistoryEvent, "type" | "data">): string => {
  const describer = describers[event.type as CampaignEventType] as
    ((d: Data) => string) | undefined;
  if (describer) return describer((event.data ?? {}) as Data);
  // An event of a newer service than this CLI: its type and size, never a cut-off JSON.
  return `(${count(Object.keys(event.data ?? {}).length, "field")}; --json shows it)`;
};

/** A fixed-width table: REV, POSITION, RECORDED AT, TYPE, COMMAND, DETAIL. */
export function historyTable(events: readonly HistoryEvent[]): string {
  const rows = events.map((e) => [
    String(e.revision),
    String(e.position),
    e.recordedAt,
    e.type,
    String(e.metadata?.commandId ?? "-").slice(0, 8),
    describe(e),
  ]);
  return table(["REV", "POSITION", "RECORDED AT", "TYPE", "COMMAND", "DETAIL"], rows);
}

export async function historyCommand(
  client: CampaignsClient,
  id: string,
  json: boolean,
  out: Output,
): Promise<void> {
  const events = await readHistory(client, id);
  out.write(
    json ? `${toJson(events)}\n` : historyTable(events) + `${count(events.length, "event")}\n`,
  );
}

/** The state as it stood; a campaign too big for one NATS reply comes a page of numbers at a time, put back together here. */
export async function stateCommand(
  client: CampaignsClient,
  id: string,
  at: { at?: string; revision?: number },
  out: Output,
): Promise<void> {
  type Paged = Awaited<ReturnType<CampaignsClient["getCampaignStateAt"]>> & {
    phoneNumbersPage?: number;
    phoneNumberPages?: number;
  };
  const first = (await client.getCampaignStateAt({ id, ...at })) as Paged;
  const { phoneNumbersPage: _page, phoneNumberPages: pages, ...state } = first;
  for (let page = 1; page < (pages ?? 0); page++) {
    const next = (await client.getCampaignStateAt({
      id,
      ...at,
      phoneNumbersPage: page,
    } as Parameters<CampaignsClient["getCampaignStateAt"]>[0])) as Paged;
    state.phoneNumbers.push(...next.phoneNumbers);
  }
  out.write(`${JSON.stringify(JSON.parse(toJson(state)), null, 2)}\n`);
}
