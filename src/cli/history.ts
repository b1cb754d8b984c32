/**
 * `campaigns history` and `campaigns state`: the audit timeline and the state
 * as of a moment, read over NATS with the typed client (get-campaign-history,
 * paged to the end; get-campaign-state-at).
 */
import type { CampaignsClient } from "../client/campaigns-client.js";
import { toJson } from "../contract/wire.js";
import type { Output } from "./progress-bar.js";

type HistoryEvent = Awaited<ReturnType<CampaignsClient["getCampaignHistory"]>>["events"][number];

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

/** One line per event type of what an auditor wants to see; anything else as compact JSON. */
const describers: Record<string, (d: Data) => string> = {
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
    `${d.e164} attempt ${d.attemptNumber}: ${d.outcomeName} (${d.outcome}) -> ${d.next?.status === "retry" ? `retry #${d.next.attemptNumber} at ${d.next.dueAt}` : d.next?.result}`,
  SmsRequested: (d) => `SMS to ${d.e164} after attempt ${d.attemptNumber}`,
  StageReached: (d) => `${d.e164} attempt ${d.attemptNumber}: ${d.stageName} (${d.stage})`,
  NumberOptedOut: (d) => `${d.e164} opted out at attempt ${d.attemptNumber}`,
};

export const describe = (event: Pick<HistoryEvent, "type" | "data">): string => {
  const describer = describers[event.type];
  if (describer) return describer((event.data ?? {}) as Data);
  const json = JSON.stringify(event.data);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
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
  const header = ["REV", "POSITION", "RECORDED AT", "TYPE", "COMMAND", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n") + "\n";
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
