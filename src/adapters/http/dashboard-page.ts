/** The dashboard's page: markup and style; the behaviour is in dashboard-script.ts (served as /dashboard/app.js). */
export const dashboardHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Campaigns dashboard</title>
<style>
  :root { --ink: #1d2430; --muted: #667085; --line: #e4e7ec; --accent: #2563eb; --good: #16a34a; --warn: #d97706; --bad: #dc2626; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f7f8fa; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  #live { font-size: 12px; color: var(--muted); }
  #live.on::before { content: "●"; color: var(--good); margin-right: 4px; }
  main { padding: 20px 24px; display: grid; gap: 20px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
  h2 { font-size: 15px; margin: 0 0 12px; }
  form { display: flex; gap: 8px; }
  input[type=password] { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 260px; }
  button { padding: 6px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-size: 12px; color: var(--muted); font-weight: 600; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  tr.campaign { cursor: pointer; }
  tr.campaign:hover, tr.campaign.selected { background: #eef4ff; }
  .status { padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #ecfdf3; color: var(--good); }
  .status.paused { background: #fffaeb; color: var(--warn); }
  .bar { display: flex; height: 8px; width: 160px; background: var(--line); border-radius: 4px; overflow: hidden; }
  .bar span { display: block; height: 100%; }
  .charts { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(420px, 2fr); gap: 20px; }
  .chart text { font-size: 11px; fill: var(--ink); }
  .chart .axis { fill: var(--muted); }
  .error { color: var(--bad); }
  .muted { color: var(--muted); }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>Campaigns</h1>
  <span id="live">offline</span>
  <button id="sign-out" class="secondary" hidden>Forget key</button>
</header>
<main>
  <section id="sign-in">
    <h2>API key</h2>
    <form id="key-form">
      <input id="key" type="password" autocomplete="off" placeholder="your API key" aria-label="API key" required>
      <button type="submit">Open</button>
    </form>
    <p class="muted">The key stays in this tab (session storage) and is sent in a header, never in a URL.</p>
    <p id="key-error" class="error" hidden></p>
  </section>
  <section id="campaigns" hidden>
    <h2>Campaigns <span id="client" class="muted"></span></h2>
    <table>
      <thead><tr><th>Campaign</th><th>Status</th><th>Progress</th><th class="n">Numbers</th><th class="n">Pending</th><th class="n">Contacted</th><th class="n">Message left</th><th class="n">Failed</th><th class="n">Exhausted</th><th class="n">Opted out</th><th class="n">Excluded</th><th class="n">Attempts</th></tr></thead>
      <tbody id="campaign-rows"></tbody>
    </table>
    <p id="no-campaigns" class="muted" hidden>No campaigns yet.</p>
  </section>
  <section id="detail" hidden>
    <h2 id="detail-title"></h2>
    <div class="charts">
      <div><h2>Outcomes</h2><svg id="outcomes-chart" class="chart" role="img" aria-label="Attempts by outcome"></svg></div>
      <div><h2>Timeline <span class="muted">(attempts per hour, campaign's local time)</span></h2><svg id="timeline-chart" class="chart" role="img" aria-label="Attempts per hour"></svg></div>
    </div>
  </section>
</main>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;
