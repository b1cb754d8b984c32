/**
 * docs/dashboard.png: the dashboard of a realistic day, taken in chromium. Starts the service on
 * a nats-server of its own (as the tests do), creates three campaigns of a collections team and
 * records a day's attempts with a plausible mix of outcomes, then opens the biggest campaign.
 * Usage: npx tsx scripts/dashboard-screenshot.ts [out.png]   (default docs/dashboard.png)
 */
import { chromium } from "playwright-core";
import type { CampaignsClient } from "../src/client/campaigns-client.js";
import { API_KEYS, startGateway } from "../test/support/gateway.js";
import { registerDefaults, seedPostBody } from "../test/support/instance.js";

const out = process.argv[2] ?? "docs/dashboard.png";
const HOUR = 3_600_000;
const now = Date.now();
const today = (offsetDays = 0) =>
  new Date(now + offsetDays * 86_400_000).toLocaleDateString("en-CA", {
    timeZone: "Europe/London",
  });

/** The window stays open a while after the picture is taken, so that numbers are due now. */
const londonHour = Number(
  new Date(now).toLocaleTimeString("en-GB", { timeZone: "Europe/London", hour: "2-digit" }),
);
const finishTime = londonHour >= 18 ? "23:59" : "20:00";

/** A small seeded generator: the same picture every run. */
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
/** Outcome codes by share of attempts, as a collections team's day looks. */
const mix: [number, number][] = [
  [1, 0.3], // Answered
  [6, 0.33], // NoAnswer
  [3, 0.1], // Busy
  [5, 0.08], // AnswerphoneMessageLeft
  [4, 0.08], // AnswerphoneMessageNotLeft
  [12, 0.04], // NoConnection
  [2, 0.05], // Unobtainable
  [13, 0.02], // InvalidNumber
];
const outcome = () => {
  let r = random();
  for (const [code, share] of mix) if ((r -= share) < 0) return code;
  return 6;
};
const RETRY = new Set([3, 4, 6, 12]);

async function pool<T>(items: T[], run: (item: T) => Promise<unknown>, width = 32) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function campaign(
  acme: CampaignsClient,
  id: string,
  name: string,
  size: number,
  first: number,
  done: number,
  hours: number,
) {
  const numbers = Array.from({ length: size }, (_, i) => `0772${first + i}`);
  await acme.createCampaign({
    ...seedPostBody(),
    id,
    name,
    startDate: today(),
    startTime: "08:00",
    finishTime,
    runoverDays: [{ date: today(1), startTime: "08:00", finishTime }],
    phoneNumbers: numbers.map((number) => ({ number })),
  });
  const tried = numbers.slice(0, Math.round(size * done));
  await pool([...tried.entries()], async ([i, number]) => {
    let at = now - hours * HOUR + (i / tried.length) * (hours - 1.5) * HOUR;
    for (let attemptNumber = 1; attemptNumber <= 3; attemptNumber++) {
      const code = outcome();
      await acme.recordAttemptOutcome({
        id,
        number,
        attemptNumber,
        outcome: code,
        occurredAt: new Date(at).toISOString(),
      });
      if (code === 1) {
        const stage = random() < 0.35 ? 17 : random() < 0.04 ? 14 : 1;
        await acme.recordStageReached({
          id,
          number,
          attemptNumber,
          stage,
          occurredAt: new Date(at + 60_000).toISOString(),
        });
      }
      at += (0.25 + random()) * HOUR;
      if (!RETRY.has(code) || at > now - 60_000 || random() < 0.5) break;
    }
  });
}

const gw = await startGateway();
try {
  const acme = gw.svc.client("acme");
  await registerDefaults(acme);
  await campaign(acme, "spring-arrears-ldn", "Spring arrears, London", 1_200, 2_100_000, 0.62, 9);
  await campaign(acme, "payment-plan-reminders", "Payment plan reminders", 400, 2_200_000, 0.9, 9);
  await acme.pauseCampaign({ id: "payment-plan-reminders" });
  await campaign(
    acme,
    "welcome-new-accounts",
    "Welcome calls, new accounts",
    250,
    2_300_000,
    0.04,
    1.6,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the read models catch up

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${gw.base}/dashboard#campaign=spring-arrears-ldn`);
  await page.fill("#key", API_KEYS.acme);
  await page.click("button[type=submit]");
  await page.locator("#detail-title").filter({ hasText: "Spring arrears" }).waitFor();
  await page.locator("#live.on").waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await gw.stop();
}
