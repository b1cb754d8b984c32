/**
 * `campaigns list`, `show` and `stats`: what a client's campaigns are and how far they have
 * come, as readable text (names, percentages, outcomes in words); `--json` gives the replies
 * themselves.
 */
import type { CampaignsClient } from "../client/campaigns-client.js";
import { outcomeTexts, resultTexts, stageTexts } from "../contract/codes.js";
import type {
  CampaignDetail,
  CampaignStatistics,
  CampaignSummary,
  DetailPhoneNumber,
} from "../contract/read-models.js";
import { table } from "./table.js";

const n = (x: number) => x.toLocaleString("en-GB");
/** To a tenth of a percent, never 100% before it is nor 0% once something happened. */
export const percent = (fraction: number | null): string => {
  if (fraction === null) return "-";
  if (fraction <= 0) return "0%";
  if (fraction >= 1) return "100%";
  return `${(Math.min(999, Math.max(1, Math.round(fraction * 1000))) / 10).toFixed(1)}%`;
};

export function formatList(campaigns: readonly CampaignSummary[], clientId: string): string {
  if (campaigns.length === 0)
    return `no campaigns for client ${clientId} yet; create one: campaigns create --help\n`;
  return table(
    ["ID", "NAME", "STATUS", "NUMBERS", "STARTS", "TIME ZONE"],
    campaigns.map((c) => [
      c.id,
      c.name,
      c.status,
      n(c.phoneNumberCount),
      `${c.startDate} ${c.startTime}-${c.finishTime}`,
      c.timeZone,
    ]),
  );
}

const SHOWN = 20;

const resultLabel = (result: string) =>
  resultTexts.find((r) => r.result === result)?.label ?? result;

const stepOf = ({ progress: { next } }: DetailPhoneNumber): string =>
  next.status === "completed"
    ? resultLabel(next.result).toLowerCase()
    : next.status === "retry"
      ? `attempt ${next.attemptNumber} due ${next.dueAt}`
      : "first attempt pending";

export function formatCampaign(c: CampaignDetail, clientId: string): string {
  const runover = c.runoverDays.map((d) => `${d.date} ${d.startTime}-${d.finishTime}`);
  const intervals = [...c.attempts]
    .sort((a, b) => a.attemptNumber - b.attemptNumber)
    .map((a) => a.interval);
  const lines = [
    `${c.name} (${c.id}), client ${clientId}: ${c.status}`,
    `  calling:       ${c.startDate} ${c.startTime}-${c.finishTime} ${c.timeZone}${runover.length ? `; runover ${runover.join(", ")}` : ""}`,
    `  attempts:      ${intervals.length}${intervals.length ? ` (waits after each: ${intervals.join(", ")} minutes)` : ""}`,
    `  call flow ${c.callflow_Id}, CLI ${c.cli_Id}; answer machine detected ${c.answerMachineDetected}; SMS on busy ${c.smsOnBusy}`,
    ...(c.excludedDates?.length ? [`  excluded dates: ${c.excludedDates.join(", ")}`] : []),
    `  numbers:       ${n(c.phoneNumberCount)}`,
    ...table(
      ["    NUMBER", "NAME", "ATTEMPTS", "NEXT"],
      c.phoneNumbers
        .slice(0, SHOWN)
        .map((p) => [`    ${p.number}`, p.name ?? "", String(p.progress.attemptsMade), stepOf(p)]),
    )
      .trimEnd()
      .split("\n"),
    ...(c.phoneNumberCount > SHOWN
      ? [
          `    ... and ${n(c.phoneNumberCount - SHOWN)} more: campaigns export ${c.id} --client ${clientId} --kind results`,
        ]
      : []),
  ];
  return `${lines.join("\n")}\n`;
}

type DialQueue = Awaited<ReturnType<CampaignsClient["getDialQueue"]>>;

const named = (
  counts: CampaignStatistics["outcomes"],
  texts: readonly { code: number; label: string }[],
): string =>
  counts
    .filter((c) => c.count > 0)
    .map((c) => `${texts.find((t) => t.code === c.code)?.label ?? c.name} ${n(c.count)}`)
    .join(", ") || "none yet";

export function formatStats(
  name: string,
  s: CampaignStatistics,
  queue: DialQueue | undefined,
): string {
  const { numbers } = s;
  const share = (x: number) => (numbers.total === 0 ? 0 : x / numbers.total);
  const results = [
    ["pending", numbers.pending],
    ...resultTexts.map((r) => [
      r.label.toLowerCase(),
      r.result === "exhausted"
        ? numbers.exhausted
        : r.result === "opted_out"
          ? numbers.optedOut
          : (s.results as Record<string, number>)[r.result]!,
    ]),
  ] as [string, number][];
  const lines = [
    `${name} (${s.id}): ${n(numbers.total)} numbers, ${percent(share(numbers.total - numbers.pending))} done`,
    `  numbers:      ${results.map(([label, count]) => `${label} ${n(count)} (${percent(share(count))})`).join(", ")}`,
    `  answer rate:  ${percent(s.answerRate)} (attempts answered / attempts recorded)`,
    `  contact rate: ${percent(s.contactRate)} (${n(s.numbersAnswered)} of ${n(s.numbersAttempted)} numbers tried were answered)`,
    `  attempts:     ${n(s.attemptsRecorded)}; SMS requested ${n(s.smsRequested)}`,
    `  outcomes:     ${named(s.outcomes, outcomeTexts)}`,
    `  stages:       ${named(s.stages, stageTexts)}`,
    queue === undefined
      ? "  dial queue:   could not be read"
      : `  dial queue:   due now ${n(queue.dueNow)}, claimed ${n(queue.claimed)}, waiting for a calling window ${n(queue.waitingForWindow)}, waiting for a retry ${n(queue.waitingForRetry)}, excluded ${n(queue.excluded)}, completed ${n(queue.completed)}${queue.nextDueAt ? `; ${queue.dueNow > 0 ? "oldest due since" : "next due at"} ${queue.nextDueAt}` : ""}`,
  ];
  return `${lines.join("\n")}\n`;
}
