// @ts-check
/** The detail's two charts, drawn as SVG (no chart library; nothing fetched from elsewhere). */
import { $, svg } from "./dom.js";
import { count, outcomeDescription, outcomeLabel, shortDate } from "./format.js";

/** Attempts by outcome, each named in words, its meaning in the bar's tooltip. */
/** @param {import("./types.js").CampaignStatistics["outcomes"]} outcomes */
export function drawOutcomes(outcomes) {
  const chart = $("outcomes-chart");
  const rowHeight = 20;
  const labelWidth = 190;
  const width = 440;
  const max = Math.max(1, ...outcomes.map((o) => o.count));
  chart.setAttribute("viewBox", `0 0 ${width} ${outcomes.length * rowHeight}`);
  chart.replaceChildren();
  outcomes.forEach((o, i) => {
    const y = i * rowHeight;
    const w = ((width - labelWidth - 60) * o.count) / max;
    const bar = svg("rect", {
      x: labelWidth,
      y: y + 4,
      width: Math.max(w, o.count ? 2 : 0),
      height: rowHeight - 8,
      fill: "#2563eb",
      rx: 2,
    });
    bar.append(svg("title", {}, outcomeDescription(o.code, o.name)));
    chart.append(
      svg("text", { x: 0, y: y + 14, "data-label": o.name }, outcomeLabel(o.name)),
      bar,
      svg("text", { x: labelWidth + w + 6, y: y + 14, "data-outcome": o.name }, count(o.count)),
    );
  });
}

/** Attempts (and those that made contact) per local hour of the campaign. */
/** @param {import("./types.js").TimelineBucket[]} buckets */
export function drawTimeline(buckets) {
  const chart = $("timeline-chart");
  const width = 640;
  const height = 220;
  const bottom = 44;
  const left = 40;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.replaceChildren();
  if (buckets.length === 0) {
    chart.append(
      svg("text", { x: left, y: height / 2, class: "axis" }, "No attempts recorded yet"),
    );
    return;
  }
  const max = Math.max(1, ...buckets.map((b) => b.attempts));
  const slot = Math.min(28, (width - left) / buckets.length);
  const plot = height - bottom - 10;
  let shownDay = "";
  chart.append(
    svg("text", { x: 0, y: 14, class: "axis" }, count(max)),
    svg("text", { x: 0, y: height - bottom, class: "axis" }, "0"),
  );
  buckets.forEach((b, i) => {
    const h = (plot * b.attempts) / max;
    const contacted = (plot * b.contacted) / max;
    const x = left + i * slot;
    const bar = svg("rect", {
      x: x + 1,
      y: height - bottom - h,
      width: Math.max(1, slot - 2),
      height: h,
      fill: "#93c5fd",
    });
    bar.append(
      svg(
        "title",
        {},
        `${b.start}: ${count(b.attempts)} attempts, ${count(b.contacted)} contacted`,
      ),
    );
    chart.append(
      bar,
      svg("rect", {
        x: x + 1,
        y: height - bottom - contacted,
        width: Math.max(1, slot - 2),
        height: contacted,
        fill: "#16a34a",
      }),
    );
    // A label every 40 px or more: the local hour, and the date under the first hour of a day.
    if (i % Math.ceil(40 / slot) === 0) {
      const day = b.start.slice(0, 10);
      chart.append(
        svg("text", { x, y: height - bottom + 14, class: "axis" }, b.start.slice(11, 16)),
      );
      if (day !== shownDay)
        chart.append(svg("text", { x, y: height - bottom + 27, class: "axis" }, shortDate(day)));
      shownDay = day;
    }
  });
  chart.append(
    svg("text", { x: left, y: height - 4, class: "axis" }, "blue: attempts; green: contacted"),
  );
}
