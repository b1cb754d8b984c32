/**
 * The dashboard's behaviour, served as /dashboard/app.js: plain browser
 * JavaScript (no framework, no chart library: the bars are SVG drawn here).
 * Text from the service goes in with textContent, never as markup.
 */
export const dashboardScript = String.raw`"use strict";
(() => {
  const KEY = "campaigns.apiKey";
  const $ = (id) => document.getElementById(id);
  const svgNs = "http://www.w3.org/2000/svg";
  const resultColours = { contacted: "#16a34a", message_left: "#0891b2", failed: "#dc2626", excluded: "#7c3aed", exhausted: "#9ca3af", opted_out: "#d97706" };
  let key = sessionStorage.getItem(KEY);
  let selected = null;
  let events = null;

  const api = async (path) => {
    const response = await fetch(path, { headers: { Authorization: "Bearer " + key } });
    if (response.status === 401) { signOut("That key is not known."); throw new Error("unauthorized"); }
    if (!response.ok) throw new Error(path + ": " + response.status);
    return response.json();
  };
  const path = (id, suffix) => "/api/campaign/voice/" + encodeURIComponent(id) + (suffix ? "/" + suffix : "");
  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    return node;
  };
  const svg = (tag, attrs, text) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  };
  const count = (n) => Number(n || 0).toLocaleString("en-GB");

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    key = null;
    selected = null;
    if (events) events.abort();
    $("sign-in").hidden = false;
    $("campaigns").hidden = $("detail").hidden = $("sign-out").hidden = true;
    $("key-error").hidden = !message;
    $("key-error").textContent = message || "";
    setLive(false);
  }
  function setLive(on) { $("live").className = on ? "on" : ""; $("live").textContent = on ? "live" : "offline"; }

  async function loadCampaigns() {
    const campaigns = await api("/api/campaign/voice");
    const statistics = await Promise.all(campaigns.map((c) => api(path(c.id, "statistics")).catch(() => null)));
    const rows = $("campaign-rows");
    rows.replaceChildren();
    campaigns.forEach((campaign, i) => rows.append(campaignRow(campaign, statistics[i])));
    $("no-campaigns").hidden = campaigns.length > 0;
    $("sign-in").hidden = true;
    $("campaigns").hidden = $("sign-out").hidden = false;
    $("key-error").hidden = true;
  }

  function campaignRow(campaign, stats) {
    const numbers = stats ? stats.numbers : { total: campaign.phoneNumberCount, pending: campaign.phoneNumberCount, exhausted: 0, optedOut: 0 };
    const results = stats ? stats.results : {};
    const row = el("tr", null, { class: "campaign" + (campaign.id === selected ? " selected" : ""), "data-campaign": campaign.id });
    const name = el("td");
    name.append(el("strong", campaign.name), el("span", " " + campaign.id, { class: "muted" }));
    const status = el("td");
    status.append(el("span", campaign.status, { class: "status " + campaign.status }));
    const progress = el("td");
    const bar = el("div", null, { class: "bar", title: count(numbers.total - numbers.pending) + " of " + count(numbers.total) + " completed" });
    for (const [result, colour] of Object.entries(resultColours)) {
      const share = numbers.total ? (results[result] || 0) / numbers.total : 0;
      if (share > 0) bar.append(el("span", null, { style: "width:" + (share * 100).toFixed(2) + "%;background:" + colour }));
    }
    progress.append(bar);
    row.append(name, status, progress);
    const cells = { numbers: numbers.total, pending: numbers.pending, contacted: results.contacted, "message-left": results.message_left, failed: results.failed, exhausted: numbers.exhausted, "opted-out": numbers.optedOut, excluded: results.excluded, attempts: stats ? stats.attemptsRecorded : 0 };
    for (const [name, value] of Object.entries(cells)) row.append(el("td", count(value), { class: "n", "data-count": name }));
    row.addEventListener("click", () => { selected = campaign.id; loadCampaigns().catch(report); loadDetail().catch(report); });
    return row;
  }

  async function loadDetail() {
    if (!selected) return;
    const [stats, timeline] = await Promise.all([api(path(selected, "statistics")), api(path(selected, "timeline") + "?bucket=hour")]);
    $("detail").hidden = false;
    $("detail-title").textContent = "Campaign " + selected + " (" + timeline.timeZone + ")";
    drawOutcomes(stats.outcomes);
    drawTimeline(timeline.buckets.slice(-48));
  }

  function drawOutcomes(outcomes) {
    const chart = $("outcomes-chart");
    const rowHeight = 18, labelWidth = 180, width = 400;
    const max = Math.max(1, ...outcomes.map((o) => o.count));
    chart.setAttribute("viewBox", "0 0 " + width + " " + outcomes.length * rowHeight);
    chart.setAttribute("width", String(width));
    chart.setAttribute("height", String(outcomes.length * rowHeight));
    chart.replaceChildren();
    outcomes.forEach((o, i) => {
      const y = i * rowHeight;
      const w = ((width - labelWidth - 50) * o.count) / max;
      chart.append(svg("text", { x: 0, y: y + 13 }, o.name), svg("rect", { x: labelWidth, y: y + 3, width: Math.max(w, o.count ? 2 : 0), height: rowHeight - 6, fill: "#2563eb", rx: 2 }), svg("text", { x: labelWidth + w + 6, y: y + 13, "data-outcome": o.name }, count(o.count)));
    });
  }

  function drawTimeline(buckets) {
    const chart = $("timeline-chart");
    const width = 640, height = 200, bottom = 40, left = 34;
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    chart.setAttribute("width", String(width));
    chart.setAttribute("height", String(height));
    chart.replaceChildren();
    if (buckets.length === 0) { chart.append(svg("text", { x: left, y: height / 2, class: "axis" }, "No attempts recorded yet")); return; }
    const max = Math.max(1, ...buckets.map((b) => b.attempts));
    const slot = Math.min(28, (width - left) / buckets.length);
    chart.append(svg("text", { x: 0, y: 12, class: "axis" }, count(max)), svg("text", { x: 0, y: height - bottom, class: "axis" }, "0"));
    buckets.forEach((b, i) => {
      const h = ((height - bottom - 10) * b.attempts) / max;
      const x = left + i * slot;
      const contacted = ((height - bottom - 10) * b.contacted) / max;
      const bar = svg("rect", { x: x + 1, y: height - bottom - h, width: Math.max(1, slot - 2), height: h, fill: "#93c5fd" });
      bar.append(svg("title", {}, b.start + ": " + b.attempts + " attempts, " + b.contacted + " contacted"));
      chart.append(bar, svg("rect", { x: x + 1, y: height - bottom - contacted, width: Math.max(1, slot - 2), height: contacted, fill: "#16a34a" }));
      if (i % Math.ceil(buckets.length / 8) === 0) chart.append(svg("text", { x, y: height - bottom + 14, class: "axis" }, b.start.slice(5, 16).replace("T", " ")));
    });
    chart.append(svg("text", { x: left, y: height - 6, class: "axis" }, "blue: attempts; green: contacted"));
  }

  // Server-sent events read with fetch(), so that the key goes in a header (EventSource cannot send
  // one).
  async function listen() {
    while (key) {
      events = new AbortController();
      try {
        const response = await fetch("/dashboard/events", { headers: { Authorization: "Bearer " + key }, signal: events.signal });
        if (response.status === 401) { signOut("That key is not known."); return; }
        if (!response.ok || !response.body) throw new Error("events: " + response.status);
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
            const data = message.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
            if (data) changed(JSON.parse(data).campaignIds || []);
          }
        }
      } catch (error) {
        if (!key) return;
      }
      setLive(false);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  function changed(campaignIds) {
    loadCampaigns().catch(report);
    if (selected && campaignIds.includes(selected)) loadDetail().catch(report);
  }
  function report(error) { if (String(error && error.message) !== "unauthorized") console.warn(error); }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    $("key").value = "";
    sessionStorage.setItem(KEY, key);
    start();
  });
  $("sign-out").addEventListener("click", () => signOut());

  function start() {
    loadCampaigns().then(() => listen()).catch(report);
  }
  if (key) start();
})();
`;
