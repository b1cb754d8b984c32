/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core), as an
 * operations manager uses it: enter a key, see the client's campaigns with progress and rates,
 * open one (by name), read its results, dial queue and outcomes in words, pause and resume it,
 * download its exports, reload and find it still open, and see it change live after a command.
 * A screenshot is kept in test-artifacts/dashboard.png.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CampaignsClient } from "../../../src/client/campaigns-client.js";
import { API_KEYS, type Gateway, http, startGateway } from "../../support/gateway.js";
import { registerDefaults, seedPostBody } from "../../support/instance.js";

const artifacts = join(import.meta.dirname, "..", "..", "..", "test-artifacts");
/** An id as long as ids may be: it must not push the page sideways. */
const LONG_ID = "north-west-region-arrears-recovery-autumn-2030-second-wave-00001";
let gw: Gateway;
let acme: CampaignsClient;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const at = (minutes: number) => new Date(Date.now() - (120 - minutes) * 60_000).toISOString();
/** Today and tomorrow in London, all day: numbers are due now whenever the test runs. */
const londonDate = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString("en-CA", {
    timeZone: "Europe/London",
  });

beforeAll(async () => {
  gw = await startGateway();
  acme = gw.svc.client("acme");
  await registerDefaults(acme);
  await registerDefaults(gw.svc.client("globex"));
  await acme.createCampaign({
    ...seedPostBody(),
    id: "spring-drive",
    name: "Spring <b>drive</b>",
    phoneNumbers: [
      { number: "07722123456", name: "Ben" },
      { number: "07722734716" },
      { number: "07722000001" },
    ],
  });
  await acme.recordAttemptOutcome({
    id: "spring-drive",
    number: "07722734716",
    attemptNumber: 1,
    outcome: 2,
    occurredAt: at(0),
  });
  // 200 numbers, one of them done: 0.5% must still show.
  await acme.createCampaign({
    ...seedPostBody(),
    id: LONG_ID,
    name: "Autumn arrears, north-west region, second wave",
    startDate: londonDate(0),
    startTime: "00:00",
    finishTime: "23:59",
    runoverDays: [{ date: londonDate(1), startTime: "00:00", finishTime: "23:59" }],
    phoneNumbers: Array.from({ length: 200 }, (_, i) => ({
      number: `077221${String(i).padStart(5, "0")}`,
    })),
  });
  await acme.recordAttemptOutcome({
    id: LONG_ID,
    number: "07722100000",
    attemptNumber: 1,
    outcome: 1,
    occurredAt: at(100),
  });
  await acme.recordAttemptOutcome({
    id: LONG_ID,
    number: "07722100001",
    attemptNumber: 1,
    outcome: 6,
    occurredAt: at(101),
  });
  await gw.svc
    .client("globex")
    .createCampaign({ ...seedPostBody(), id: "globex-only", name: "Globex private" });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on("request", (request) => requested.push(request.url()));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

const count = (campaign: string, name: string) =>
  page.locator(`tr[data-campaign="${campaign}"] td[data-count="${name}"]`);
const statistics = async (id: string) =>
  (await http(gw.base, "GET", `/api/campaign/voice/${id}/statistics`, { key: API_KEYS.acme })).json;
/** How far the page and its header bar fall short of the window (the page runs in chromium). */
const sideways = (): Promise<{ page: number; header: number }> =>
  page.evaluate(`({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    header: document.documentElement.clientWidth - document.querySelector("header").clientWidth,
  })`);

describe("the dashboard", { timeout: 90_000 }, () => {
  it("shows the client's campaigns after a key is entered, names as text, never markup", async () => {
    await page.goto(`${gw.base}/dashboard`);
    await page.fill("#key", API_KEYS.acme);
    await page.click("button[type=submit]");
    const row = page.locator('tr[data-campaign="spring-drive"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("strong").textContent()).toBe("Spring <b>drive</b>");
    expect(await count("spring-drive", "numbers").textContent()).toBe("3");
    await expect
      .poll(() => count("spring-drive", "pending").textContent(), { timeout: 10_000 })
      .toBe("2");
    expect(await page.locator('tr[data-campaign="globex-only"]').count()).toBe(0);
    await expect.poll(() => page.locator("#client").textContent()).toBe("· acme");
    await page.locator("#live.on").waitFor({ timeout: 10_000 });
  });

  it("shows progress with a percentage, a bar that can be seen below 1%, and the rates", async () => {
    await expect
      .poll(() => page.locator(`[data-progress="${LONG_ID}"]`).textContent(), { timeout: 10_000 })
      .toBe("0.5% done · 1 of 200");
    const segment = page.locator(
      `tr[data-campaign="${LONG_ID}"] .bar span[data-result="contacted"]`,
    );
    expect((await segment.boundingBox())!.width).toBeGreaterThanOrEqual(3);
    const stats = await statistics(LONG_ID);
    expect([stats.answerRate, stats.contactRate]).toEqual([0.5, 0.5]);
    expect(await count(LONG_ID, "answer-rate").textContent()).toBe("50.0%");
    expect(await count(LONG_ID, "contact-rate").textContent()).toBe("50.0%");
    expect(await count("spring-drive", "answer-rate").textContent()).toBe("0%");
  });

  it("has no sideways scroll at 1280 px, nor at 1920 or 800, with a 64-character id", async () => {
    for (const width of [1280, 1920, 800]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await sideways(), `${width} px`).toEqual({ page: 0, header: 0 });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("opens a campaign under its name, with results, the dial queue and outcomes in words", async () => {
    await page.locator(`tr[data-campaign="${LONG_ID}"]`).click();
    await expect
      .poll(() => page.locator("#detail-title").textContent(), { timeout: 10_000 })
      .toBe("Autumn arrears, north-west region, second wave");
    expect(await page.locator("#tile-progress").textContent()).toBe("0.5%");
    expect(await page.locator("#tile-answer-rate").textContent()).toBe("50.0%");
    expect(await page.locator("#tile-contact-rate").textContent()).toBe("50.0%");
    expect(await page.locator('#results-rows tr[data-result="contacted"]').textContent()).toBe(
      "Contacted10.5%",
    );

    const queue = (
      await http(gw.base, "GET", `/api/campaign/voice/${LONG_ID}/dial-queue`, {
        key: API_KEYS.acme,
      })
    ).json;
    expect(queue.dueNow).toBeGreaterThan(0);
    for (const field of ["dueNow", "claimed", "waitingForWindow", "waitingForRetry"])
      expect(
        await page.locator(`#queue-rows tr[data-queue="${field}"] td.n`).textContent(),
        field,
      ).toBe(queue[field].toLocaleString("en-GB"));

    await page.locator('#outcomes-chart text[data-outcome="NoAnswer"]').waitFor();
    expect(await page.locator('#outcomes-chart text[data-label="NoAnswer"]').textContent()).toBe(
      "No answer",
    );
    expect(
      await page
        .locator('#outcomes-chart text[data-label="AnswerphoneMessageNotLeft"]')
        .textContent(),
    ).toBe("Answerphone, no message left");
    expect(await sideways()).toEqual({ page: 0, header: 0 });
  });

  it("keeps the selection in the URL fragment, never the key, and reopens it on reload", async () => {
    expect(new URL(page.url()).hash).toBe(`#campaign=${LONG_ID}`);
    await page.reload();
    await expect
      .poll(() => page.locator("#detail-title").textContent(), { timeout: 15_000 })
      .toBe("Autumn arrears, north-west region, second wave");
    expect(requested.filter((url) => url.includes(API_KEYS.acme))).toEqual([]);
    expect(page.url()).not.toContain(API_KEYS.acme);
  });

  it("pauses and resumes the campaign with the key, each click once", async () => {
    const posts: { url: string; auth: string | undefined; key: string | undefined }[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST")
        posts.push({
          url: r.url(),
          auth: r.headers()["authorization"],
          key: r.headers()["idempotency-key"],
        });
    });
    await page.click("#pause");
    await expect
      .poll(() => page.locator(`tr[data-campaign="${LONG_ID}"] .status`).textContent(), {
        timeout: 10_000,
      })
      .toBe("paused");
    expect(await page.locator("#resume").isVisible()).toBe(true);
    expect(await page.locator("#pause").isVisible()).toBe(false);
    const paused = await http(gw.base, "GET", `/api/campaign/voice/${LONG_ID}`, {
      key: API_KEYS.acme,
    });
    expect(paused.json.status).toBe("paused");

    await page.click("#resume");
    await expect
      .poll(() => page.locator("#detail-status").textContent(), { timeout: 10_000 })
      .toBe("active");
    expect(posts.map((p) => new URL(p.url).pathname)).toEqual([
      `/api/campaign/voice/${LONG_ID}/pause`,
      `/api/campaign/voice/${LONG_ID}/resume`,
    ]);
    expect(posts.every((p) => p.auth === `Bearer ${API_KEYS.acme}`)).toBe(true);
    expect(new Set(posts.map((p) => p.key)).size).toBe(2);
  });

  it("downloads the results and attempts CSV files", async () => {
    const [results] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#export-results"),
    ]);
    expect(results.suggestedFilename()).toBe(
      "Autumn-arrears-north-west-region-second-wave-results.csv",
    );
    const csv = readFileSync((await results.path())!, "utf8")
      .trim()
      .split("\n");
    expect(csv[0]).toBe(
      "number,e164,name,attempts,lastOutcome,lastOutcomeName,result,stages,lastAttemptAt",
    );
    expect(csv).toHaveLength(201);
    const [attempts] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#export-attempts"),
    ]);
    expect(
      readFileSync((await attempts.path())!, "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(3);
  });

  it("follows a command made elsewhere without reloading", async () => {
    await page.locator('tr[data-campaign="spring-drive"]').click();
    await page.locator('#outcomes-chart text[data-outcome="Unobtainable"]').waitFor();
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));
    await acme.recordAttemptOutcome({
      id: "spring-drive",
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: at(5),
    });
    await expect
      .poll(() => count("spring-drive", "contacted").textContent(), { timeout: 15_000 })
      .toBe("1");
    await expect
      .poll(() => page.locator('#outcomes-chart text[data-outcome="Answered"]').textContent(), {
        timeout: 15_000,
      })
      .toBe("1");
    expect(navigations).toEqual([]);

    await page.locator(`tr[data-campaign="${LONG_ID}"]`).click();
    await page.locator("#detail-title").filter({ hasText: "Autumn" }).waitFor();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });
    expect(requested.every((url) => url.startsWith(gw.base) || url.startsWith("blob:"))).toBe(true); // nothing from the internet
    expect(requested.some((url) => url.endsWith("/favicon.ico"))).toBe(false); // the page names its icon
  });
});

it("serves its files with a strict policy, an icon, and refuses the event stream without a known key", async () => {
  expect((await http(gw.base, "GET", "/dashboard/events")).status).toBe(401);
  expect((await http(gw.base, "GET", "/dashboard/events", { key: "wrong" })).status).toBe(401);
  const pageItself = await http(gw.base, "GET", "/dashboard");
  expect(pageItself.status).toBe(200);
  const policy = pageItself.headers.get("content-security-policy")!;
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain("unsafe-inline");
  for (const asset of ["/dashboard/app.js", "/dashboard/style.css", "/favicon.ico"])
    expect((await http(gw.base, "GET", asset)).status, asset).toBe(200);
});
