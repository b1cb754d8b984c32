/**
 * A persistent sorted set of (at, id) pairs: the dial queue's index of
 * numbers by the moment they fall due. A treap whose priorities are a hash of
 * the id (deterministic: the domain has no randomness), with path copying, so
 * every version is immutable and shares all untouched nodes with the one
 * before it; insert and remove cost O(log n), reading the first k due O(log n + k).
 * Each node also counts its subtree, so "how many are due by t" is O(log n).
 */
export type DueNode = {
  readonly at: number;
  readonly id: string;
  readonly priority: number;
  readonly left: DueIndex;
  readonly right: DueIndex;
  readonly size: number;
};
export type DueIndex = DueNode | undefined;

export const emptyDueIndex: DueIndex = undefined;

/** FNV-1a, then murmur3's finaliser: ids differing in one digit (phone numbers) get unrelated priorities. */
const priorityOf = (id: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
};

const sizeOf = (node: DueIndex): number => (node === undefined ? 0 : node.size);

const node = (
  at: number,
  id: string,
  priority: number,
  left: DueIndex,
  right: DueIndex,
): DueNode => ({
  at,
  id,
  priority,
  left,
  right,
  size: sizeOf(left) + sizeOf(right) + 1,
});

const before = (at: number, id: string, other: DueNode): boolean =>
  at < other.at || (at === other.at && id < other.id);

/** Splits into the pairs before (at, id) and those at or after it. */
const split = (tree: DueIndex, at: number, id: string): [DueIndex, DueIndex] => {
  if (tree === undefined) return [undefined, undefined];
  if (before(tree.at, tree.id, { at, id } as DueNode)) {
    const [left, right] = split(tree.right, at, id);
    return [node(tree.at, tree.id, tree.priority, tree.left, left), right];
  }
  const [left, right] = split(tree.left, at, id);
  return [left, node(tree.at, tree.id, tree.priority, right, tree.right)];
};

/** Joins two trees where every pair of `a` comes before every pair of `b`. */
const join = (a: DueIndex, b: DueIndex): DueIndex => {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.priority >= b.priority
    ? node(a.at, a.id, a.priority, a.left, join(a.right, b))
    : node(b.at, b.id, b.priority, join(a, b.left), b.right);
};

export const insertDue = (tree: DueIndex, at: number, id: string): DueIndex => {
  const priority = priorityOf(id);
  const insert = (t: DueIndex): DueIndex => {
    if (t === undefined) return node(at, id, priority, undefined, undefined);
    if (t.at === at && t.id === id) return t;
    if (priority > t.priority) {
      const [left, right] = split(t, at, id);
      return node(at, id, priority, left, right);
    }
    return before(at, id, t)
      ? node(t.at, t.id, t.priority, insert(t.left), t.right)
      : node(t.at, t.id, t.priority, t.left, insert(t.right));
  };
  return insert(tree);
};

/** The tree without (at, id); the same tree when it is not there. */
export const removeDue = (tree: DueIndex, at: number, id: string): DueIndex => {
  if (tree === undefined) return tree;
  if (tree.at === at && tree.id === id) return join(tree.left, tree.right);
  if (before(at, id, tree)) {
    const left = removeDue(tree.left, at, id);
    return left === tree.left ? tree : node(tree.at, tree.id, tree.priority, left, tree.right);
  }
  const right = removeDue(tree.right, at, id);
  return right === tree.right ? tree : node(tree.at, tree.id, tree.priority, tree.left, right);
};

/** Moves an id from one time to another (a claim, its release, a new due time). */
export const moveDue = (
  tree: DueIndex,
  from: number | undefined,
  to: number | undefined,
  id: string,
): DueIndex => {
  if (from === to) return tree;
  const without = from === undefined ? tree : removeDue(tree, from, id);
  return to === undefined ? without : insertDue(without, to, id);
};

/** The pairs due at or before `until`, earliest first (ties by id), read lazily: O(log n) to start, O(1) amortised each. */
export function* dueInOrder(tree: DueIndex, until: number): Generator<{ at: number; id: string }> {
  const stack: DueNode[] = [];
  let current = tree;
  while (current !== undefined || stack.length > 0) {
    while (current !== undefined) {
      stack.push(current);
      current = current.left;
    }
    const next = stack.pop()!;
    if (next.at > until) return;
    yield { at: next.at, id: next.id };
    current = next.right;
  }
}

/** Up to `limit` pairs due at or before `until`, earliest first (ties by id). */
export const firstDue = (
  tree: DueIndex,
  until: number,
  limit: number,
): { at: number; id: string }[] => {
  const found: { at: number; id: string }[] = [];
  if (limit <= 0) return found;
  for (const pair of dueInOrder(tree, until)) if (found.push(pair) >= limit) break;
  return found;
};

/** How many pairs are due at or before `until`. */
export const countDue = (tree: DueIndex, until: number): number => {
  let count = 0;
  let current = tree;
  while (current !== undefined) {
    if (current.at <= until) {
      count += sizeOf(current.left) + 1;
      current = current.right;
    } else current = current.left;
  }
  return count;
};

export const dueIndexSize = sizeOf;

/** A balanced tree from pairs already sorted (at, then id): O(n), for a whole campaign at once. */
export const dueIndexFromSorted = (pairs: readonly { at: number; id: string }[]): DueIndex => {
  // Priorities are the hashes still, so later inserts and removes keep the heap order: build by a
  // Cartesian-tree stack.
  const spine: DueNode[] = [];
  type Mutable = { -readonly [K in keyof DueNode]: DueNode[K] };
  for (const { at, id } of pairs) {
    const fresh: Mutable = {
      at,
      id,
      priority: priorityOf(id),
      left: undefined,
      right: undefined,
      size: 1,
    };
    let last: Mutable | undefined;
    while (spine.length > 0 && spine[spine.length - 1]!.priority < fresh.priority)
      last = spine.pop() as Mutable;
    fresh.left = last;
    if (spine.length > 0) (spine[spine.length - 1] as Mutable).right = fresh;
    spine.push(fresh);
  }
  const root = spine[0];
  const fixSizes = (t: DueIndex): number => {
    if (t === undefined) return 0;
    (t as Mutable).size = fixSizes(t.left) + fixSizes(t.right) + 1;
    return t.size;
  };
  fixSizes(root);
  return root;
};

export const byDueThenId = (a: { at: number; id: string }, b: { at: number; id: string }): number =>
  a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
