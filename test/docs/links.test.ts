/**
 * Every relative link in the README and docs/ points at a file of the repository, and a link
 * with a fragment at a heading of that file: a clone has no `../shared`, and a moved section
 * must take its links with it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const documents = [
  join(repo, "README.md"),
  ...readdirSync(join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(repo, "docs", name)),
];

/** Links and images outside code: `[text](target)` and `![alt](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, "");
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of prose.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = text!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

describe("documentation links", () => {
  it("finds the README and the docs", () => {
    expect(documents.length).toBeGreaterThan(5);
  });

  for (const document of documents) {
    it(`${relative(repo, document)}: every relative link resolves`, () => {
      const markdown = readFileSync(document, "utf8");
      const broken: string[] = [];
      for (const link of linksOf(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: are not ours to check
        const [path, fragment] = link.split("#") as [string, string | undefined];
        const target = path === "" ? document : resolve(dirname(document), path);
        if (!target.startsWith(repo + "/") || !existsSync(target)) {
          broken.push(`${link}: no such file in the repository`);
          continue;
        }
        if (fragment && target.endsWith(".md")) {
          if (!anchorsOf(readFileSync(target, "utf8")).has(fragment))
            broken.push(`${link}: no heading #${fragment} in ${relative(repo, target)}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
