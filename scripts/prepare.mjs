#!/usr/bin/env node
// `prepare` (run by `npm ci` / `npm install` in this repository): compile src/ into dist/ so `npm start`,
// the `campaigns` bin and the package import work right after installing. A production install
// (`npm ci --omit=dev`, as in the Dockerfile's runtime stage) has no TypeScript and takes dist/
// from the build stage: there it skips, saying so.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  tsc = undefined;
}
if (tsc === undefined || !existsSync("src")) {
  process.stderr.write(
    `prepare: no ${tsc === undefined ? "TypeScript (dev dependencies omitted)" : "src/"}; dist/ is not rebuilt\n`,
  );
} else {
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
