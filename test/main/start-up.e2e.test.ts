/**
 * `npm start` as a newcomer meets it, in a child process: one line saying which NATS it joined
 * (or started) and which store; this machine only unless BIND_ADDRESS says otherwise; and a
 * port in use or a peer that is not NATS stopping start-up with one line naming the variable to
 * change.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort, type RunningNatsServer, startNatsServer } from "../support/nats-server.js";

const root = resolve(import.meta.dirname, "../..");
let nats: RunningNatsServer;
const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "start-up-"));
  dirs.push(dir);
  return dir;
};

type Run = { code: number | null; stdout: string; stderr: string };
/**
 * Starts the service (src/main/serve.ts, what `npm start` runs compiled) and stops it with
 * SIGTERM once `until` matches its output, or lets it exit by itself.
 */
function serve(env: Record<string, string>, until?: RegExp): Promise<Run> & { stop(): void } {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/main/serve.ts")], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const check = () => {
    if (until?.test(stdout)) child.kill("SIGTERM");
  };
  child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk.toString()), check()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const done = new Promise<Run>((ok) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    }),
  );
  return Object.assign(done, { stop: () => child.kill("SIGTERM") });
}
const listening = async (server: Server, host: string) => {
  await new Promise<void>((ok) => server.listen(0, host, ok));
  return (server.address() as { port: number }).port;
};

// A server each: an instance stopped mid-start-up leaves its lease to expire, which would hold up
// the next test's start.
beforeEach(async () => {
  nats = await startNatsServer();
});
afterEach(async () => {
  await nats?.stop();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("start-up", { timeout: 60_000 }, () => {
  it("says in one line which NATS it joined, which store it uses and where it listens", async () => {
    const [http, ops] = [await freePort(), await freePort()];
    const dir = dataDir();
    const run = await serve(
      {
        NATS_URL: nats.url,
        DATA_DIR: dir,
        HTTP_PORT: String(http),
        API_KEYS: "k:acme",
        OPS_PORT: String(ops),
      },
      /campaign service started/,
    );
    const line = run.stdout.split("\n").find((l) => l.includes("campaign service started"))!;
    expect(JSON.parse(line).msg).toBe(
      `campaign service started: joined the NATS server at ${nats.url}; events in sqlite ${join(dir, "events.sqlite")}; ` +
        `REST on http://127.0.0.1:${http}/api, dashboard http://127.0.0.1:${http}/dashboard; health and metrics on http://127.0.0.1:${ops}`,
    );
  });

  it("says so when it started a local nats-server because nothing answered at NATS_URL", async () => {
    const port = await freePort();
    const dir = dataDir();
    const run = await serve(
      { NATS_URL: `nats://127.0.0.1:${port}`, DATA_DIR: dir, OPS_PORT: "" },
      /campaign service started/,
    );
    const line = run.stdout.split("\n").find((l) => l.includes("campaign service started"))!;
    expect(JSON.parse(line).msg).toBe(
      `campaign service started: started a local nats-server at nats://127.0.0.1:${port} (JetStream in ${join(dir, "nats")}); ` +
        `events in sqlite ${join(dir, "events.sqlite")}; no REST (HTTP_PORT unset); no health or metrics (OPS_PORT empty)`,
    );
  });

  it("listens on 127.0.0.1 by default, on every interface with BIND_ADDRESS=0.0.0.0", async (context) => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (lan === undefined) return context.skip(); // no address but loopback: nothing to tell apart
    const answers = async (host: string, port: number) =>
      fetch(`http://${host}:${port}/healthz`).then(
        (r) => r.status,
        () => "refused",
      );
    for (const [bind, fromLan] of [
      [undefined, "refused"],
      ["0.0.0.0", 200],
    ] as const) {
      const ops = await freePort();
      let seen: [unknown, unknown] = [undefined, undefined];
      const child = serve({
        NATS_URL: nats.url,
        DATA_DIR: dataDir(),
        OPS_PORT: String(ops),
        ...(bind ? { BIND_ADDRESS: bind } : {}),
      });
      const deadline = Date.now() + 30_000;
      while (seen[0] !== 200 && Date.now() < deadline) {
        seen = [await answers("127.0.0.1", ops), await answers(lan, ops)];
        if (seen[0] !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      child.stop();
      const run = await child;
      expect(seen, `BIND_ADDRESS=${bind ?? "(unset)"}: ${run.stderr}${run.stdout}`).toEqual([
        200,
        fromLan,
      ]);
    }
  });

  it("stops with one line naming OPS_PORT when a second instance finds it taken", async () => {
    const taken = createServer();
    const port = await listening(taken, "127.0.0.1");
    const run = await serve({ NATS_URL: nats.url, DATA_DIR: dataDir(), OPS_PORT: String(port) });
    taken.close();
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `cannot start: OPS_PORT=${port} is already in use on 127.0.0.1 (another process, perhaps another instance of this service); set OPS_PORT to a free port, or OPS_PORT= (empty) to run without health and metrics\n`,
    );
  });

  it("stops with one line naming HTTP_PORT when it is taken", async () => {
    const taken = createServer();
    const port = await listening(taken, "127.0.0.1");
    const run = await serve({
      NATS_URL: nats.url,
      DATA_DIR: dataDir(),
      OPS_PORT: "",
      HTTP_PORT: String(port),
      API_KEYS: "k:acme",
    });
    taken.close();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^cannot start: HTTP_PORT=${port} is already in use on 127\\.0\\.0\\.1 .*; set HTTP_PORT to a free port\\n$`,
      ),
    );
  });

  it("stops with one line naming NATS_URL when what answers there is not NATS", async () => {
    for (const greeting of ["HTTP/1.1 400 Bad Request\r\n\r\n", undefined]) {
      const peer = createServer((socket) => {
        socket.on("error", () => undefined);
        if (greeting) socket.write(greeting);
      });
      const port = await listening(peer, "127.0.0.1");
      const run = await serve({
        NATS_URL: `nats://127.0.0.1:${port}`,
        DATA_DIR: dataDir(),
        OPS_PORT: "",
      });
      peer.close();
      expect(run.code, greeting ?? "silent peer").toBe(1);
      expect(run.stderr).toBe(
        `invalid configuration: NATS_URL="nats://127.0.0.1:${port}": something answers there but it is not a NATS server (it sent no NATS greeting); set NATS_URL to your NATS server, or stop what listens there so that a local nats-server can be started\n`,
      );
    }
  });
});
