// @ts-check
/** Numbers, shares, dates and code names as people read them. */

/** @type {import("./types.js").Codes} */
let codes = { outcomes: [], stages: [], results: [] };
/** The contract's code table (`/dashboard/codes.json`), read once at start. */
/** @param {import("./types.js").Codes} table */
export const useCodes = (table) => {
  codes = table;
};

/** @param {number | undefined} n */
export const count = (n) => Number(n ?? 0).toLocaleString("en-GB");

/**
 * A share as people read it, to a tenth of a percent: never 100% before it is, never 0% once
 * something happened.
 * @param {number | null | undefined} fraction
 */
export function percent(fraction) {
  if (fraction === null || fraction === undefined) return "–";
  if (fraction <= 0) return "0%";
  if (fraction >= 1) return "100%";
  const tenths = Math.min(999, Math.max(1, Math.round(fraction * 1000)));
  return `${(tenths / 10).toFixed(1)}%`;
}

/** `2030-10-01` as `1 Oct`: the local date of a bucket, as its own digits say. */
/** @param {string} day */
export function shortDate(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** @param {string} name */
export const outcomeLabel = (name) => codes.outcomes.find((o) => o.name === name)?.label ?? name;
/** @param {number} code @param {string} name */
export const outcomeDescription = (code, name) =>
  codes.outcomes.find((o) => o.code === code)?.description ?? name;
/** @param {string} result */
export const resultLabel = (result) =>
  codes.results.find((r) => r.result === result)?.label ?? result;
