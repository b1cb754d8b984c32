// @ts-check
/**
 * The dashboard's behaviour: plain browser JavaScript, type-checked against the contract's
 * types (web/tsconfig.json, run by `npm run lint`). No framework and no chart library: the bars
 * are SVG drawn here. Text from the service goes in with textContent, never as markup; styles are
 * set through the CSSOM, which the page's Content-Security-Policy allows where inline styles are
 * not. The API key lives in this tab's sessionStorage and goes in a header, never in a URL; the
 * selected campaign is kept in the URL fragment (`#campaign=<id>`) so a reload or a shared link
 * opens it again.
 */

/** @typedef {import("../../src/contract/read-models.js").CampaignSummary} CampaignSummary */
/** @typedef {import("../../src/contract/read-models.js").CampaignStatistics} CampaignStatistics */
/** @typedef {import("../../src/contract/reporting.js").CampaignTimeline} CampaignTimeline */
/** @typedef {import("../../src/contract/reporting.js").TimelineBucket} TimelineBucket */
/** @typedef {import("zod").infer<typeof import("../../src/contract/replies.js").DialQueueReply>} DialQueue */
/** @typedef {import("../../src/contract/codes.js").CodeText} CodeText */
/** @typedef {{ outcomes: CodeText[]; stages: CodeText[]; results: { result: string; label: string; description: string }[] }} Codes */
/** @typedef {{ summary: CampaignSummary; stats: CampaignStatistics | null }} Campaign */

const KEY = "campaigns.apiKey";
const REFRESH_QUEUE_MS = 15_000;
const svgNs = "http://www.w3.org/2000/svg";
/** @type {Record<string, string>} */
const resultColours = {
  contacted: "#16a34a",
  message_left: "#0891b2",
  failed: "#dc2626",
  excluded: "#7c3aed",
  exhausted: "#9ca3af",
  opted_out: "#d97706",
};

/** @param {string} id */
const $ = (id) => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} is missing from the page`);
  return node;
};
const keyInput = /** @type {HTMLInputElement} */ ($("key"));
const pauseButton = /** @type {HTMLButtonElement} */ ($("pause"));
const resumeButton = /** @type {HTMLButtonElement} */ ($("resume"));

/** @type {string | null} */
let key = sessionStorage.getItem(KEY);
/** @type {string | null} */
let selected = selectionInUrl();
/** @type {Campaign[]} */
let campaigns = [];
/** @type {Codes} */
let codes = { outcomes: [], stages: [], results: [] };
/** @type {AbortController | null} */
let events = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let queueTimer;

class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @param {string} path @param {RequestInit} [init] */
async function request(path, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    signOut("That key is not known.");
    throw new ApiError(401, "unauthorized");
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.detail ?? problem.title ?? `${response.status}`);
  }
  return response;
}
/** @template T @param {string} path @returns {Promise<T>} */
const api = async (path) => (await request(path)).json();
/** @param {string} id @param {string} [suffix] */
const path = (id, suffix) =>
  `/api/campaign/voice/${encodeURIComponent(id)}${suffix ? `/${suffix}` : ""}`;

/**
 * @param {string} tag
 * @param {string | number | null} [text]
 * @param {Record<string, string>} [attributes]
 */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}
/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {string | number} [text]
 */
function svg(tag, attributes, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
/** @param {number | undefined} n */
const count = (n) => Number(n ?? 0).toLocaleString("en-GB");
/**
 * A share as people read it, to a tenth of a percent: never 100% before it is, never 0% once
 * something happened.
 * @param {number | null | undefined} fraction
 */
function percent(fraction) {
  if (fraction === null || fraction === undefined) return "–";
  if (fraction <= 0) return "0%";
  if (fraction >= 1) return "100%";
  const tenths = Math.min(999, Math.max(1, Math.round(fraction * 1000)));
  return `${(tenths / 10).toFixed(1)}%`;
}
/** @param {string} name */
const outcomeLabel = (name) => codes.outcomes.find((o) => o.name === name)?.label ?? name;
/** @param {string} result */
const resultLabel = (result) => codes.results.find((r) => r.result === result)?.label ?? result;

/** Numbers done (no longer pending) out of all: what "progress" means here. */
/** @param {Campaign} campaign */
function progressOf({ summary, stats }) {
  const total = stats ? stats.numbers.total : summary.phoneNumberCount;
  const done = stats ? total - stats.numbers.pending : 0;
  return { total, done, fraction: total === 0 ? 0 : done / total };
}

/** @param {Campaign} campaign @param {boolean} wide */
function progressBar(campaign, wide) {
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
    part.style.width = `${((n / total) * 100).toFixed(3)}%`;
    part.style.background = colour;
    bar.append(part);
    parts.push(`${resultLabel(result)} ${count(n)}`);
  }
  bar.setAttribute("aria-label", parts.length ? parts.join(", ") : "nothing completed yet");
  return bar;
}
/** @param {Campaign} campaign @param {string} result */
function resultCount({ stats }, result) {
  if (!stats) return 0;
  if (result === "exhausted") return stats.numbers.exhausted;
  if (result === "opted_out") return stats.numbers.optedOut;
  return /** @type {Record<string, number>} */ (stats.results)[result] ?? 0;
}

function signOut(/** @type {string} */ message = "") {
  sessionStorage.removeItem(KEY);
  key = null;
  events?.abort();
  clearInterval(queueTimer);
  $("sign-in").hidden = false;
  $("campaigns").hidden = $("detail").hidden = $("sign-out").hidden = true;
  $("key-error").hidden = !message;
  $("key-error").textContent = message;
  $("client").textContent = "";
  setLive(false);
}
/** @param {boolean} on */
function setLive(on) {
  $("live").className = on ? "on" : "";
  $("live").textContent = on ? "live" : "offline";
}

async function loadCampaigns() {
  /** @type {CampaignSummary[]} */
  const list = await api("/api/campaign/voice");
  const stats = await Promise.all(list.map((c) => api(path(c.id, "statistics")).catch(() => null)));
  campaigns = list.map((summary, i) => ({ summary, stats: stats[i] ?? null }));
  const rows = $("campaign-rows");
  rows.replaceChildren(...campaigns.map(campaignRow));
  $("no-campaigns").hidden = campaigns.length > 0;
  $("sign-in").hidden = true;
  $("campaigns").hidden = $("sign-out").hidden = false;
  $("key-error").hidden = true;
  if (selected !== null && !campaigns.some((c) => c.summary.id === selected)) {
    selected = null;
    $("detail").hidden = true;
  }
}

/** @param {Campaign} campaign */
function campaignRow(campaign) {
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
  const choose = () => select(summary.id);
  row.addEventListener("click", choose);
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter") choose();
  });
  return row;
}

/** @param {string} id */
function select(id) {
  selected = id;
  // The selection goes in the fragment (never the key): a reload or a shared link opens it again.
  history.replaceState(null, "", `#campaign=${encodeURIComponent(id)}`);
  for (const row of document.querySelectorAll("tr.campaign"))
    row.classList.toggle("selected", row.getAttribute("data-campaign") === id);
  loadDetail().catch(report);
}
function selectionInUrl() {
  const match = /^#campaign=(.+)$/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] ?? "");
  } catch {
    return null;
  }
}

async function loadDetail() {
  const id = selected;
  const campaign = campaigns.find((c) => c.summary.id === id);
  if (id === null || campaign === undefined) return;
  /** @type {[CampaignStatistics, CampaignTimeline, DialQueue | null]} */
  const [stats, timeline, queue] = await Promise.all([
    api(path(id, "statistics")),
    api(path(id, "timeline")),
    api(path(id, "dial-queue")).catch(() => null),
  ]);
  if (id !== selected) return; // another campaign was chosen meanwhile
  const current = { summary: campaign.summary, stats };
  $("detail").hidden = false;
  $("detail-title").textContent = campaign.summary.name;
  $("detail-status").textContent = campaign.summary.status;
  $("detail-status").className = `status ${campaign.summary.status}`;
  $("detail-zone").textContent = timeline.timeZone;
  $("detail-id").textContent = id;
  pauseButton.hidden = campaign.summary.status !== "active";
  resumeButton.hidden = campaign.summary.status !== "paused";

  const { done, total, fraction } = progressOf(current);
  $("tile-progress").textContent = percent(fraction);
  $("tile-progress-of").textContent = `${count(done)} of ${count(total)} numbers`;
  $("tile-answer-rate").textContent = percent(stats.answerRate);
  $("tile-contact-rate").textContent = percent(stats.contactRate);
  $("tile-attempts").textContent = count(stats.attemptsRecorded);
  $("tile-sms").textContent = `${count(stats.smsRequested)} SMS requested`;

  $("detail-progress").replaceWith(
    Object.assign(progressBar(current, true), { id: "detail-progress" }),
  );
  /** @type {[string, string, number][]} */
  const results = [
    ["pending", "Pending", stats.numbers.pending],
    ...Object.keys(resultColours).map(
      (result) =>
        /** @type {[string, string, number]} */ ([
          result,
          resultLabel(result),
          resultCount(current, result),
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
  drawQueue(queue);
  drawOutcomes(stats.outcomes);
  drawTimeline(timeline.buckets.slice(-48));
  clearInterval(queueTimer);
  // "Due now" moves with the clock, not with events: read it again now and then.
  queueTimer = setInterval(() => {
    if (selected === id && key)
      api(path(id, "dial-queue")).then((q) => drawQueue(/** @type {DialQueue} */ (q)), report);
  }, REFRESH_QUEUE_MS);
}

/** @param {DialQueue | null} queue */
function drawQueue(queue) {
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

/** @param {CampaignStatistics["outcomes"]} outcomes */
function drawOutcomes(outcomes) {
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
    bar.append(
      svg("title", {}, codes.outcomes.find((c) => c.code === o.code)?.description ?? o.name),
    );
    chart.append(
      svg("text", { x: 0, y: y + 14, "data-label": o.name }, outcomeLabel(o.name)),
      bar,
      svg("text", { x: labelWidth + w + 6, y: y + 14, "data-outcome": o.name }, count(o.count)),
    );
  });
}

/** @param {TimelineBucket[]} buckets */
function drawTimeline(buckets) {
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

/** `2030-10-01` as `1 Oct`: the local date of a bucket, as its own digits say. */
function shortDate(/** @type {string} */ day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** A fresh idempotency key per click: a retried request is then applied once. */
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dashboard-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** @param {"pause" | "resume"} action @param {HTMLButtonElement} button */
async function changeStatus(action, button) {
  const id = selected;
  if (id === null) return;
  button.disabled = true;
  $("action-error").hidden = true;
  try {
    await request(path(id, action), {
      method: "POST",
      headers: { "Idempotency-Key": idempotencyKey() },
    });
    await loadCampaigns();
    await loadDetail();
  } catch (error) {
    showActionError(`${action === "pause" ? "Pausing" : "Resuming"} failed`, error);
  } finally {
    button.disabled = false;
  }
}

/**
 * The CSV routes need the key in a header, which a plain link cannot send: the file is fetched
 * with it and handed to the browser as a download.
 * @param {"results" | "attempts"} kind
 */
async function download(kind) {
  const id = selected;
  const campaign = campaigns.find((c) => c.summary.id === id);
  if (id === null || campaign === undefined) return;
  const button = /** @type {HTMLButtonElement} */ ($(`export-${kind}`));
  button.disabled = true;
  $("action-error").hidden = true;
  try {
    const blob = await (await request(path(id, `${kind}.csv`))).blob();
    const link = el("a", null, {
      href: URL.createObjectURL(blob),
      download: `${campaign.summary.name.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || id}-${kind}.csv`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.getAttribute("href") ?? ""), 60_000);
  } catch (error) {
    showActionError("The export failed", error);
  } finally {
    button.disabled = false;
  }
}

/** @param {string} what @param {unknown} error */
function showActionError(what, error) {
  if (error instanceof ApiError && error.status === 401) return;
  $("action-error").hidden = false;
  $("action-error").textContent =
    `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

// Server-sent events read with fetch(), so that the key goes in a header (EventSource cannot send
// one).
async function listen() {
  while (key) {
    const controller = new AbortController();
    events = controller;
    try {
      const response = await fetch("/dashboard/events", {
        headers: { Authorization: `Bearer ${key}` },
        signal: controller.signal,
      });
      if (response.status === 401) {
        signOut("That key is not known.");
        return;
      }
      if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
      setLive(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data) changed(JSON.parse(data).campaignIds ?? []);
        }
      }
    } catch {
      if (!key) return;
    }
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** @param {string[]} campaignIds */
function changed(campaignIds) {
  loadCampaigns()
    .then(() => {
      if (selected !== null && campaignIds.includes(selected)) return loadDetail();
    })
    .catch(report);
}
/** @param {unknown} error */
function report(error) {
  if (!(error instanceof ApiError && error.status === 401)) console.warn(error);
}

async function start() {
  $("client").textContent = "";
  codes = await (await fetch("/dashboard/codes.json")).json();
  await loadCampaigns();
  const me = await api("/dashboard/me").catch(() => null);
  if (me && typeof me === "object" && "client" in me) $("client").textContent = `· ${me.client}`;
  if (selected !== null) select(selected);
  listen().catch(report);
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  key = keyInput.value.trim();
  keyInput.value = "";
  sessionStorage.setItem(KEY, key);
  start().catch(report);
});
$("sign-out").addEventListener("click", () => signOut());
pauseButton.addEventListener("click", () => changeStatus("pause", pauseButton));
resumeButton.addEventListener("click", () => changeStatus("resume", resumeButton));
$("export-results").addEventListener("click", () => download("results"));
$("export-attempts").addEventListener("click", () => download("attempts"));
window.addEventListener("hashchange", () => {
  const id = selectionInUrl();
  if (id !== null && id !== selected && key) select(id);
});
if (key) start().catch(report);
