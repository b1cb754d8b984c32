/**
 * `npm start` on a machine without NATS starts a local nats-server; it must
 * not outlive the service, however the service ends.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../support/nats-server.js";

const repo = resolve(import.meta.dirname, "../../..");
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** The service as `npm start` runs it (one process), and the pid of the nats-server it started. */
async function startServiceWithLocalNats(): Promise<{ service: ChildProcess; natsPid: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "campaigns-local-nats-"));
  const env = {
    ...process.env,
    NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    DATA_DIR: dataDir,
    EVENT_STORE: "memory",
    OPS_PORT: "",
    LOG_LEVEL: "info",
  };
  const service = spawn(process.execPath, ["--import", "tsx", "src/main/serve.ts"], {
    cwd: repo,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let natsPid: number | undefined;
  cleanups.push(() => {
    service.kill("SIGKILL");
    if (natsPid !== undefined && alive(natsPid)) process.kill(natsPid, "SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });
  for await (const line of createInterface({ input: service.stdout! })) {
    const entry = JSON.parse(line) as { msg: string; pid?: number };
    if (entry.msg.startsWith("started a local nats-server")) natsPid = entry.pid;
    if (entry.msg.startsWith("campaign service started")) break;
  }
  expect(natsPid).toBeGreaterThan(0);
  return { service, natsPid: natsPid! };
}

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe("a nats-server that the service started", () => {
  it("stops when the service is stopped with SIGTERM", async () => {
    const { service, natsPid } = await startServiceWithLocalNats();
    expect(alive(natsPid)).toBe(true);
    service.kill("SIGTERM");
    expect(await gone(natsPid)).toBe(true);
  }, 60_000);

  it("stops when the service is killed with SIGKILL", async () => {
    const { service, natsPid } = await startServiceWithLocalNats();
    service.kill("SIGKILL");
    expect(await gone(natsPid)).toBe(true);
  }, 60_000);
});
