// @ts-check
/** All campaigns: one row each, by name, with progress and rates. */
import { $, el } from "./dom.js";
import { count, percent } from "./format.js";
import { progressBar, progressOf } from "./progress.js";

/**
 * @param {import("./types.js").Campaign[]} campaigns
 * @param {string | null} selected
 * @param {(id: string) => void} onSelect
 */
export function showCampaigns(campaigns, selected, onSelect) {
  $("campaign-rows").replaceChildren(...campaigns.map((c) => campaignRow(c, selected, onSelect)));
  $("no-campaigns").hidden = campaigns.length > 0;
}

/** @param {string} id */
export function markSelected(id) {
  for (const row of document.querySelectorAll("tr.campaign"))
    row.classList.toggle("selected", row.getAttribute("data-campaign") === id);
}

/**
 * @param {import("./types.js").Campaign} campaign
 * @param {string | null} selected
 * @param {(id: string) => void} onSelect
 */
function campaignRow(campaign, selected, onSelect) {
  const { summary, stats } = campaign;
  const row = el("tr", null, {
    class: `campaign${summary.id === selected ? " selected" : ""}`,
    "data-campaign": summary.id,
    tabindex: "0",
  });
  const name = el("td", null, { class: "name" });
  name.append(el("strong", summary.name), el("span", summary.id, { class: "muted" }));
  const status = el("td");
  status.append(el("span", summary.status, { class: `status ${summary.status}` }));
  const progress = el("td", null, { class: "progress" });
  const { done, total, fraction } = progressOf(campaign);
  progress.append(
    progressBar(campaign, false),
    el("span", `${percent(fraction)} done · ${count(done)} of ${count(total)}`, {
      class: "pct",
      "data-progress": summary.id,
    }),
  );
  row.append(name, status, progress);
  /** @type {[string, string][]} */
  const cells = [
    ["numbers", count(total)],
    ["pending", count(stats ? stats.numbers.pending : total)],
    ["contacted", count(stats?.results.contacted)],
    ["answer-rate", percent(stats?.answerRate)],
    ["contact-rate", percent(stats?.contactRate)],
    ["attempts", count(stats?.attemptsRecorded)],
  ];
  for (const [name, value] of cells)
    row.append(el("td", value, { class: "n", "data-count": name }));
  const choose = () => onSelect(summary.id);
  row.addEventListener("click", choose);
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter") choose();
  });
  return row;
}
