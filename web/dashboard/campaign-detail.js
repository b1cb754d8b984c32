// @ts-check
/**
 * One campaign: its name, status and buttons, the figures an operations manager watches
 * (completed, answer and contact rates, attempts), its numbers by result, the dial queue and the
 * two charts.
 */
import { drawOutcomes, drawTimeline } from "./charts.js";
import { $, el } from "./dom.js";
import { count, percent, resultLabel } from "./format.js";
import { progressBar, progressOf, resultColours, resultCount } from "./progress.js";

/**
 * @param {import("./types.js").CampaignSummary} summary
 * @param {import("./types.js").CampaignStatistics} stats
 * @param {import("./types.js").CampaignTimeline} timeline
 * @param {import("./types.js").DialQueue | null} queue
 */
export function showDetail(summary, stats, timeline, queue) {
  const campaign = { summary, stats };
  $("detail").hidden = false;
  $("detail-title").textContent = summary.name;
  $("detail-status").textContent = summary.status;
  $("detail-status").className = `status ${summary.status}`;
  $("detail-zone").textContent = timeline.timeZone;
  $("detail-id").textContent = summary.id;
  $("pause").hidden = summary.status !== "active";
  $("resume").hidden = summary.status !== "paused";

  const { done, total, fraction } = progressOf(campaign);
  $("tile-progress").textContent = percent(fraction);
  $("tile-progress-of").textContent = `${count(done)} of ${count(total)} numbers`;
  $("tile-answer-rate").textContent = percent(stats.answerRate);
  $("tile-contact-rate").textContent = percent(stats.contactRate);
  $("tile-attempts").textContent = count(stats.attemptsRecorded);
  $("tile-sms").textContent = `${count(stats.smsRequested)} SMS requested`;

  $("detail-progress").replaceWith(
    Object.assign(progressBar(campaign, true), { id: "detail-progress" }),
  );
  /** @type {[string, string, number][]} */
  const results = [
    ["pending", "Pending", stats.numbers.pending],
    ...Object.keys(resultColours).map(
      (result) =>
        /** @type {[string, string, number]} */ ([
          result,
          resultLabel(result),
          resultCount(campaign, result),
        ]),
    ),
  ];
  $("results-rows").replaceChildren(
    ...results.map(([result, label, n]) => {
      const row = el("tr", null, { "data-result": result });
      const name = el("td");
      const swatch = el("span", null, { class: "swatch" });
      swatch.style.background = resultColours[result] ?? "#e4e7ec";
      name.append(swatch, label);
      row.append(
        name,
        el("td", count(n), { class: "n" }),
        el("td", percent(total ? n / total : 0), { class: "n muted" }),
      );
      return row;
    }),
  );
  showQueue(queue);
  drawOutcomes(stats.outcomes);
  drawTimeline(timeline.buckets.slice(-48));
}

/** The dial queue now; null when it could not be read. */
/** @param {import("./types.js").DialQueue | null} queue */
export function showQueue(queue) {
  /** @type {[string, string][]} */
  const rows = [
    ["dueNow", "Due now"],
    ["claimed", "Claimed by diallers"],
    ["waitingForWindow", "Waiting for a calling window"],
    ["waitingForRetry", "Waiting for a retry"],
    ["excluded", "Excluded"],
    ["completed", "Completed"],
  ];
  $("queue-rows").replaceChildren(
    ...rows.map(([field, label]) => {
      const row = el("tr", null, { "data-queue": field });
      const value = queue ? /** @type {Record<string, unknown>} */ (queue)[field] : undefined;
      row.append(
        el("td", label),
        el("td", typeof value === "number" ? count(value) : "–", { class: "n" }),
      );
      return row;
    }),
  );
  $("queue-next").textContent =
    queue === null
      ? "The dial queue could not be read."
      : queue.nextDueAt === null
        ? "Nothing else will fall due."
        : `${queue.dueNow > 0 ? "Oldest due since" : "Next due at"} ${new Date(queue.nextDueAt).toLocaleString("en-GB")}`;
}
