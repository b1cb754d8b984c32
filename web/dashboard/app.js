// @ts-check
/**
 * The dashboard's behaviour: plain browser JavaScript modules, type-checked against the
 * contract's types (web/tsconfig.json, run by `npm run lint`). This module holds what the page
 * is showing (the campaigns, the selected one) and wires the rest: campaign-list.js and
 * campaign-detail.js draw, api.js talks to the REST API with the key in a header. The selected
 * campaign is kept in the URL fragment (`#campaign=<id>`, never the key), so a reload or a shared
 * link opens it again.
 */
import {
  api,
  campaignPath,
  currentKey,
  idempotencyKey,
  isUnauthorized,
  onUnauthorized,
  request,
  useKey,
} from "./api.js";
import { markSelected, showCampaigns } from "./campaign-list.js";
import { showDetail, showQueue } from "./campaign-detail.js";
import { $, el } from "./dom.js";
import { useCodes } from "./format.js";

const REFRESH_QUEUE_MS = 15_000;
const keyInput = /** @type {HTMLInputElement} */ ($("key"));
const pauseButton = /** @type {HTMLButtonElement} */ ($("pause"));
const resumeButton = /** @type {HTMLButtonElement} */ ($("resume"));

/** @type {string | null} */
let selected = selectionInUrl();
/** @type {import("./types.js").Campaign[]} */
let campaigns = [];
/** @type {AbortController | null} */
let events = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let queueTimer;

function signOut(message = "") {
  useKey(null);
  events?.abort();
  clearInterval(queueTimer);
  $("sign-in").hidden = false;
  $("campaigns").hidden = $("detail").hidden = $("sign-out").hidden = true;
  $("key-error").hidden = !message;
  $("key-error").textContent = message;
  $("client").textContent = "";
  setLive(false);
}
onUnauthorized(signOut);

/** @param {boolean} on */
function setLive(on) {
  $("live").className = on ? "on" : "";
  $("live").textContent = on ? "live" : "offline";
}

async function loadCampaigns() {
  /** @type {import("./types.js").CampaignSummary[]} */
  const list = await api("/api/campaign/voice");
  /** @type {(import("./types.js").CampaignStatistics | null)[]} */
  const stats = await Promise.all(
    list.map((c) => api(campaignPath(c.id, "statistics")).catch(() => null)),
  );
  campaigns = list.map((summary, i) => ({ summary, stats: stats[i] ?? null }));
  showCampaigns(campaigns, selected, select);
  $("sign-in").hidden = true;
  $("campaigns").hidden = $("sign-out").hidden = false;
  $("key-error").hidden = true;
  if (selected !== null && !campaigns.some((c) => c.summary.id === selected)) {
    selected = null;
    $("detail").hidden = true;
  }
}

/** @param {string} id */
function select(id) {
  selected = id;
  history.replaceState(null, "", `#campaign=${encodeURIComponent(id)}`);
  markSelected(id);
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
  /** @type {[import("./types.js").CampaignStatistics, import("./types.js").CampaignTimeline, import("./types.js").DialQueue | null]} */
  const [stats, timeline, queue] = await Promise.all([
    api(campaignPath(id, "statistics")),
    api(campaignPath(id, "timeline")),
    api(campaignPath(id, "dial-queue")).catch(() => null),
  ]);
  if (id !== selected) return; // another campaign was chosen meanwhile
  showDetail(campaign.summary, stats, timeline, queue);
  clearInterval(queueTimer);
  // "Due now" moves with the clock, not with events: read it again now and then.
  queueTimer = setInterval(() => {
    if (selected === id && currentKey())
      api(campaignPath(id, "dial-queue")).then(
        (q) => showQueue(/** @type {import("./types.js").DialQueue} */ (q)),
        report,
      );
  }, REFRESH_QUEUE_MS);
}

/** @param {"pause" | "resume"} action @param {HTMLButtonElement} button */
async function changeStatus(action, button) {
  const id = selected;
  if (id === null) return;
  button.disabled = true;
  $("action-error").hidden = true;
  try {
    await request(campaignPath(id, action), {
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
    const blob = await (await request(campaignPath(id, `${kind}.csv`))).blob();
    const name = campaign.summary.name.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "");
    const link = el("a", null, {
      href: URL.createObjectURL(blob),
      download: `${name || id}-${kind}.csv`,
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
  if (isUnauthorized(error)) return;
  $("action-error").hidden = false;
  $("action-error").textContent =
    `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

// Server-sent events read with fetch(), so that the key goes in a header (EventSource cannot send
// one).
async function listen() {
  while (currentKey()) {
    const controller = new AbortController();
    events = controller;
    try {
      const response = await fetch("/dashboard/events", {
        headers: { Authorization: `Bearer ${currentKey()}` },
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
      if (!currentKey()) return;
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
  if (!isUnauthorized(error)) console.warn(error);
}

async function start() {
  useCodes(await (await fetch("/dashboard/codes.json")).json());
  await loadCampaigns();
  /** @type {{ client: string } | null} */
  const me = await api("/dashboard/me").catch(() => null);
  $("client").textContent = me ? `· ${me.client}` : "";
  if (selected !== null) select(selected);
  listen().catch(report);
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  useKey(keyInput.value.trim());
  keyInput.value = "";
  start().catch(report);
});
$("sign-out").addEventListener("click", () => signOut());
pauseButton.addEventListener("click", () => changeStatus("pause", pauseButton));
resumeButton.addEventListener("click", () => changeStatus("resume", resumeButton));
$("export-results").addEventListener("click", () => download("results"));
$("export-attempts").addEventListener("click", () => download("attempts"));
window.addEventListener("hashchange", () => {
  const id = selectionInUrl();
  if (id !== null && id !== selected && currentKey()) select(id);
});
if (currentKey()) start().catch(report);
