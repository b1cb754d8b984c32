/** A mistake in the command line or its input files: exit code 2 and one clear line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
