/**
 * The package as npm installs it, built fresh from src/ into a temporary folder once per test
 * file: package.json, dist/ (tsc with the build configuration), and web/ and node_modules linked.
 * Tests of the `campaigns` bin run `node <dir>/dist/cli/main.js`, what `npx campaigns` runs.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repo = resolve(import.meta.dirname, "../..");

export type BuiltPackage = { dir: string; bin: string; remove(): void };

export function buildPackage(): BuiltPackage {
  const dir = mkdtempSync(join(tmpdir(), "campaign-service-built-"));
  copyFileSync(join(repo, "package.json"), join(dir, "package.json"));
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  symlinkSync(join(repo, "web"), join(dir, "web"));
  execFileSync(
    process.execPath,
    [
      join(repo, "node_modules/typescript/bin/tsc"),
      "-p",
      join(repo, "tsconfig.build.json"),
      "--outDir",
      join(dir, "dist"),
    ],
    { cwd: repo },
  );
  return {
    dir,
    bin: join(dir, "dist/cli/main.js"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
