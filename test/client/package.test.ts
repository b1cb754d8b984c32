/**
 * The package as another service installs it: the compiled output, resolved
 * through package.json "exports". `campaign-service/client` holds the
 * contract, nats and zod, and none of the service's heavy parts; the README's
 * client snippet runs as written against a running service.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNatsServer, startNatsServer } from "../support/nats-server.js";
import { startTestInstance, type TestInstance } from "../support/instance.js";
import { type BuiltPackage, buildPackage } from "../support/built-package.js";

const repo = resolve(import.meta.dirname, "../..");
const heavy = [
  "better-sqlite3",
  "fastify",
  "@eventstore/db-client",
  "pino",
  "prom-client",
  "@opentelemetry/sdk-trace-node",
];
let pkg: string;

/** Packages (by node_modules name) of every module a fresh node process resolves while running `code`. */
function packagesLoaded(code: string): Set<string> {
  const log = join(pkg, `imports-${Math.random().toString(36).slice(2)}.txt`);
  execFileSync(
    process.execPath,
    ["--import", join(repo, "test/support/record-imports.mjs"), "--input-type=module", "-e", code],
    {
      cwd: pkg,
      env: { ...process.env, RECORD_IMPORTS_TO: log },
    },
  );
  const urls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  // CJS packages loaded by require() from ESM do not pass the ESM hooks; their entry does, and that
  // suffices here.
  return new Set(
    urls.flatMap((url) =>
      [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]!).slice(-1),
    ),
  );
}

let built: BuiltPackage;
beforeAll(() => {
  // The package as npm would lay it out: package.json and a fresh dist/ compiled from src/.
  built = buildPackage();
  pkg = built.dir;
}, 120_000);
afterAll(() => built?.remove());

describe("campaign-service/client", () => {
  it("loads the client with the contract, nats and zod, and none of the store, HTTP server or EventStoreDB client", () => {
    const loaded = packagesLoaded(
      `const m = await import("campaign-service/client"); if (typeof m.CampaignsClient !== "function") process.exit(3);`,
    );
    expect(loaded).toContain("nats");
    expect(loaded).toContain("zod");
    for (const name of heavy) expect(loaded, name).not.toContain(name);
  });

  it("is what the recorder would catch: the service's composition root does load them", () => {
    const loaded = packagesLoaded(`await import("./dist/main/compose.js");`);
    for (const name of ["better-sqlite3", "fastify", "@eventstore/db-client"])
      expect(loaded, name).toContain(name);
  });
});

describe("the README's quick start", () => {
  let nats: RunningNatsServer;
  let service: TestInstance;
  beforeAll(async () => {
    nats = await startNatsServer();
    service = await startTestInstance(nats.url);
  });
  afterAll(async () => {
    await service?.stop();
    await nats?.stop();
  });

  it("client snippet runs as written: registers, creates a campaign and reads it back", async () => {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const quickStart = readme.slice(
      readme.indexOf("## Quick start"),
      readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1),
    );
    const snippet = /```js\n([\s\S]*?)```/.exec(quickStart)?.[1];
    expect(snippet).toBeDefined();
    writeFileSync(join(pkg, "client.mjs"), snippet!);
    // Asynchronously: the service answering it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ["client.mjs"], {
      cwd: pkg,
      env: { ...process.env, NATS_URL: nats.url },
    });
    expect(stdout.trim()).toMatch(/^[A-Za-z0-9_-]+ Spring arrears 2$/);
  });
});
