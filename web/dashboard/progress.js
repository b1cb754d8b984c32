// @ts-check
/** How far a campaign has come: numbers done out of all, and the bar of their results. */
import { el } from "./dom.js";
import { count, resultLabel } from "./format.js";

/** @type {Record<string, string>} */
export const resultColours = {
  contacted: "#16a34a",
  message_left: "#0891b2",
  failed: "#dc2626",
  excluded: "#7c3aed",
  exhausted: "#9ca3af",
  opted_out: "#d97706",
};

/** Numbers done (no longer pending) out of all: what "progress" means here. */
/** @param {import("./types.js").Campaign} campaign */
export function progressOf({ summary, stats }) {
  const total = stats ? stats.numbers.total : summary.phoneNumberCount;
  const done = stats ? total - stats.numbers.pending : 0;
  return { total, done, fraction: total === 0 ? 0 : done / total };
}

/** @param {import("./types.js").Campaign} campaign @param {string} result */
export function resultCount({ stats }, result) {
  if (!stats) return 0;
  if (result === "exhausted") return stats.numbers.exhausted;
  if (result === "opted_out") return stats.numbers.optedOut;
  return /** @type {Record<string, number>} */ (stats.results)[result] ?? 0;
}

/**
 * A bar of the numbers' results; a result held by a single number still shows (the style sheet
 * gives each part a minimum width).
 * @param {import("./types.js").Campaign} campaign
 * @param {boolean} wide
 */
export function progressBar(campaign, wide) {
  const { total } = progressOf(campaign);
  const bar = el("div", null, { class: wide ? "bar wide" : "bar", role: "img" });
  /** @type {string[]} */
  const parts = [];
  for (const [result, colour] of Object.entries(resultColours)) {
    const n = resultCount(campaign, result);
    if (n === 0 || total === 0) continue;
    const part = el("span", null, {
      "data-result": result,
      title: `${resultLabel(result)}: ${count(n)}`,
    });
    // Through the CSSOM: the page's policy allows no inline style attribute.
    part.style.width = `${((n / total) * 100).toFixed(3)}%`;
    part.style.background = colour;
    bar.append(part);
    parts.push(`${resultLabel(result)} ${count(n)}`);
  }
  bar.setAttribute("aria-label", parts.length ? parts.join(", ") : "nothing completed yet");
  return bar;
}
