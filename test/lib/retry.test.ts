/** The one retry/backoff rule: exponential, capped, jittered on request; a retry loop that gives up when told to stop. */
import { expect, it } from "vitest";
import { backoffDelay, retry } from "../../src/lib/retry.js";

it("doubles from the initial delay up to the cap, and jitters within the documented range", () => {
  const policy = { initialMs: 50, maxMs: 1_000 };
  expect([0, 1, 2, 3, 4, 5, 40].map((attempt) => backoffDelay(policy, attempt))).toEqual([
    50, 100, 200, 400, 800, 1_000, 1_000,
  ]);
  expect(backoffDelay({ ...policy, jitter: "full" }, 3, () => 0.25)).toBe(100); // uniform in [0, 400]
  expect(backoffDelay({ ...policy, jitter: "half" }, 3, () => 0)).toBe(200); // uniform in [200, 400]
  expect(backoffDelay({ ...policy, jitter: "half" }, 3, () => 1)).toBe(400);
});

it("tries again until the work succeeds, and not beyond the retries allowed or a failure it is told not to retry", async () => {
  let tries = 0;
  expect(
    await retry(async () => (++tries < 3 ? Promise.reject(new Error("away")) : "done"), {
      initialMs: 1,
      maxMs: 1,
    }),
  ).toBe("done");
  expect(tries).toBe(3);

  tries = 0;
  await expect(
    retry(async () => Promise.reject(new Error(`away ${++tries}`)), {
      initialMs: 1,
      maxMs: 1,
      retries: 2,
    }),
  ).rejects.toThrow("away 3");
  tries = 0;
  await expect(
    retry(async () => Promise.reject(new Error(`refused ${++tries}`)), {
      initialMs: 1,
      maxMs: 1,
      shouldRetry: () => false,
    }),
  ).rejects.toThrow("refused 1");
});

it("gives up with the last failure as soon as its signal aborts, without waiting out the delay", async () => {
  const stopping = new AbortController();
  let tries = 0;
  const retrying = retry(async () => Promise.reject(new Error(`away ${++tries}`)), {
    initialMs: 60_000,
    maxMs: 60_000,
    signal: stopping.signal,
  });
  await new Promise((r) => setTimeout(r, 20));
  stopping.abort();
  await expect(retrying).rejects.toThrow("away 1"); // a minute's wait cut short: vitest's 5 s timeout would fail this otherwise
});
