import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const checker = join(import.meta.dirname, "..", "..", "scripts", "check-architecture.mjs");
const trees: string[] = [];

/** A small tree shaped like ours, with the files given. */
const tree = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), "arch-"));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

const lint = (root: string) => {
  try {
    return {
      code: 0,
      output: execFileSync(process.execPath, [checker, root], { encoding: "utf8", stdio: "pipe" }),
    };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { code: e.status, output: e.stderr };
  }
};

const clean = {
  "src/domain/rule.ts": "export const rule = 1;\n",
  "src/ports/event-store.ts":
    'import { rule } from "../domain/rule.js";\nexport type Store = { rule: typeof rule };\n',
  "src/app/handle.ts":
    'import type { Store } from "../ports/event-store.js";\nexport const handle = (s: Store) => s;\n',
  "src/adapters/nats/endpoint.ts":
    'import { handle } from "../../app/handle.js";\nexport const e = handle;\n',
  "src/adapters/http/route.ts":
    'import { handle } from "../../app/handle.js";\nexport const r = handle;\n',
};

afterEach(() => trees.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

describe("npm run lint's architecture check", () => {
  it("passes a tree whose imports follow the arrows", () => {
    expect(lint(tree(clean))).toMatchObject({ code: 0 });
  });

  it("passes this repository", () => {
    expect(lint(join(import.meta.dirname, "..", "..")).code).toBe(0);
  });

  it("fails when the core imports an adapter", () => {
    const result = lint(
      tree({
        ...clean,
        "src/app/bad.ts":
          'import { e } from "../adapters/nats/endpoint.js";\nexport const bad = e;\n',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("src/app/bad.ts: app may not import adapter");
  });

  it("fails when one adapter imports another", () => {
    const result = lint(
      tree({
        ...clean,
        "src/adapters/http/bad.ts":
          'import { e } from "../nats/endpoint.js";\nexport const bad = e;\n',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("adapter adapters/http imports another adapter");
  });

  it("fails when the domain imports I/O", () => {
    const result = lint(
      tree({
        ...clean,
        "src/domain/io.ts":
          'import { readFileSync } from "node:fs";\nexport const io = readFileSync;\n',
      }),
    );
    expect(result.output).toContain("src/domain/io.ts: domain is pure and may not import node:fs");
  });

  it("fails on an import cycle", () => {
    const result = lint(
      tree({
        ...clean,
        "src/domain/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
        "src/domain/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/import cycle: src\/domain\/(a|b)\.ts -> /);
  });
});
