import { describe, expect, it } from "vitest";
import {
  type DueIndex,
  byDueThenId,
  countDue,
  dueIndexFromSorted,
  dueIndexSize,
  emptyDueIndex,
  firstDue,
  insertDue,
  moveDue,
  removeDue,
} from "../../src/domain/index.js";

/** A deterministic stream of pseudo-random numbers (the test must not depend on luck). */
const lcg = (seed: number) => () =>
  (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

const depth = (tree: DueIndex): number =>
  tree === undefined ? 0 : 1 + Math.max(depth(tree.left), depth(tree.right));

describe("the due index (a persistent treap of (at, id))", () => {
  it("keeps pairs in (at, id) order through inserts, moves and removes, like a sorted array", () => {
    const random = lcg(7);
    const model = new Map<string, number>();
    let tree: DueIndex = emptyDueIndex;
    for (let step = 0; step < 5_000; step++) {
      const id = `+4477${Math.floor(random() * 800)}`;
      const at = Math.floor(random() * 50);
      const known = model.get(id);
      if (random() < 0.2 && known !== undefined) {
        tree = removeDue(tree, known, id);
        model.delete(id);
      } else {
        tree = moveDue(tree, known, at, id);
        model.set(id, at);
      }
    }
    const sorted = [...model].map(([id, at]) => ({ at, id })).sort(byDueThenId);
    expect(firstDue(tree, Infinity, Infinity)).toEqual(sorted);
    expect(dueIndexSize(tree)).toBe(sorted.length);
    expect(firstDue(tree, 20, 10)).toEqual(sorted.filter((p) => p.at <= 20).slice(0, 10));
    expect(countDue(tree, 20)).toBe(sorted.filter((p) => p.at <= 20).length);
  });

  it("leaves every earlier version as it was", () => {
    const one = insertDue(emptyDueIndex, 5, "a");
    const two = insertDue(one, 3, "b");
    const three = removeDue(two, 5, "a");
    expect(firstDue(one, Infinity, 10)).toEqual([{ at: 5, id: "a" }]);
    expect(firstDue(two, Infinity, 10)).toEqual([
      { at: 3, id: "b" },
      { at: 5, id: "a" },
    ]);
    expect(firstDue(three, Infinity, 10)).toEqual([{ at: 3, id: "b" }]);
  });

  it("stays shallow (O(log n)) when 100,000 numbers share one due time, built at once or one by one", () => {
    const pairs = Array.from({ length: 100_000 }, (_, i) => ({
      at: 1,
      id: `+447722${String(i).padStart(6, "0")}`,
    }));
    const built = dueIndexFromSorted(pairs);
    expect(depth(built)).toBeLessThan(60);
    expect(firstDue(built, 1, 3)).toEqual(pairs.slice(0, 3));
    let inserted: DueIndex = emptyDueIndex;
    for (const { at, id } of pairs.slice(0, 20_000)) inserted = insertDue(inserted, at, id);
    expect(depth(inserted)).toBeLessThan(60);
    // The built tree takes later changes like any other.
    expect(firstDue(removeDue(built, 1, pairs[0]!.id), 1, 1)).toEqual([pairs[1]]);
  });
});
