/**
 * Waits for every one of `tasks`, then throws if any failed: the first
 * failure `decisive` picks out (say, a refusal a retry cannot change, which
 * must win over a passing network error), else the first failure.
 */
export async function allOrFirstFailure(
  tasks: readonly Promise<unknown>[],
  decisive: (error: unknown) => boolean,
): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find(decisive) ?? failures[0];
}
