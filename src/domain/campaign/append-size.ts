import { type DomainError, domainError } from "../errors.js";

/**
 * One command is one atomic append, and EventStoreDB refuses appends over
 * 1 MiB (its default MaxAppendSize). Keep room for metadata and framing.
 */
export const APPEND_BUDGET_BYTES = 1024 * 1024 - 64 * 1024;

const encoder = new TextEncoder();

export const checkAppendSize = <E>(events: readonly E[]): readonly E[] | DomainError => {
  const bytes = encoder.encode(JSON.stringify(events)).length;
  return bytes <= APPEND_BUDGET_BYTES
    ? events
    : domainError("rule_violated", `the command's events take ${bytes} bytes, over the ${APPEND_BUDGET_BYTES}-byte append limit; send fewer numbers per command`, [
        { field: "phoneNumbers", reason: "too large for one atomic append; split into smaller chunks" },
      ]);
};
