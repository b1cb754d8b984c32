/**
 * The dashboard in a real browser (Debian's chromium driven by
 * playwright-core): enter a key, see the client's campaign, see its counts
 * change after a command without reloading. A screenshot is kept in
 * test-artifacts/dashboard.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { CampaignsClient } from "../../../src/client/campaigns-client.js";
import { API_KEYS, type Gateway, http, startGateway } from "../../support/gateway.js";
import { registerDefaults, seedPostBody } from "../../support/instance.js";

const artifacts = join(import.meta.dirname, "..", "..", "..", "test-artifacts");
let gw: Gateway;
let acme: CampaignsClient;
let browser: Browser;
let page: Page;
const at = (minutes: number) => new Date(Date.now() - (120 - minutes) * 60_000).toISOString();

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
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

const count = (campaign: string, name: string) =>
  page.locator(`tr[data-campaign="${campaign}"] td[data-count="${name}"]`);

it(
  "shows the client's campaigns after a key is entered, and updates them live after a command",
  { timeout: 90_000 },
  async () => {
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(`${gw.base}/dashboard`);
    await page.fill("#key", API_KEYS.acme);
    await page.click("button[type=submit]");

    const row = page.locator('tr[data-campaign="spring-drive"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("strong").textContent()).toBe("Spring <b>drive</b>"); // text, never markup
    expect(await count("spring-drive", "numbers").textContent()).toBe("3");
    await expect
      .poll(() => count("spring-drive", "pending").textContent(), { timeout: 10_000 })
      .toBe("2");
    expect(await count("spring-drive", "failed").textContent()).toBe("1");
    expect(await page.locator('tr[data-campaign="globex-only"]').count()).toBe(0);
    await page.locator("#live.on").waitFor({ timeout: 10_000 });

    await row.click();
    await page
      .locator('#outcomes-chart text[data-outcome="Unobtainable"]')
      .waitFor({ timeout: 10_000 });
    expect(
      await page.locator('#outcomes-chart text[data-outcome="Unobtainable"]').textContent(),
    ).toBe("1");
    expect(await page.locator("#timeline-chart rect").count()).toBeGreaterThan(0);

    // A command from elsewhere: the page follows the read models' watch, without reloading.
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
      .poll(() => count("spring-drive", "pending").textContent(), { timeout: 15_000 })
      .toBe("1");
    await expect
      .poll(() => count("spring-drive", "contacted").textContent(), { timeout: 15_000 })
      .toBe("1");
    await expect
      .poll(() => page.locator('#outcomes-chart text[data-outcome="Answered"]').textContent(), {
        timeout: 15_000,
      })
      .toBe("1");
    expect(navigations).toEqual([]);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });

    // The key is in this tab's session storage and went in headers only: never in a URL.
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
        ).sessionStorage.getItem("campaigns.apiKey"),
      ),
    ).toBe(API_KEYS.acme);
    expect(requested.filter((url) => url.includes(API_KEYS.acme))).toEqual([]);
    expect(requested.every((url) => url.startsWith(gw.base))).toBe(true); // nothing from the internet
  },
);

it("refuses the event stream without a known key", async () => {
  expect((await http(gw.base, "GET", "/dashboard/events")).status).toBe(401);
  expect((await http(gw.base, "GET", "/dashboard/events", { key: "wrong" })).status).toBe(401);
  const pageItself = await http(gw.base, "GET", "/dashboard");
  expect(pageItself.status).toBe(200);
  expect(pageItself.headers.get("content-security-policy")).toContain("script-src 'self'");
});
