/**
 * The pure read-model evolvers: one campaign's events in, its read model out
 * (undefined: no read model, before creation or after deletion). No I/O,
 * clock or randomness here (scripts/check-purity.mjs).
 */
import { evolveDetail } from "./detail.js";
import { evolveStatistics } from "./statistics.js";
import { evolveSummary } from "./summary.js";

export * from "./event.js";
export * from "./summary.js";
export * from "./detail.js";
export * from "./statistics.js";

export const projectionNames = ["summary", "detail", "statistics"] as const;
export type ProjectionName = (typeof projectionNames)[number];

/** Each projection's evolver, by name. */
export const evolvers = {
  summary: evolveSummary,
  detail: evolveDetail,
  statistics: evolveStatistics,
} as const satisfies Record<ProjectionName, unknown>;
