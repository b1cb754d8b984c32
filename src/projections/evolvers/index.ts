/**
 * The pure read-model evolvers: one campaign's events in, its read model out
 * (undefined: no read model, before creation or after deletion). No I/O,
 * clock or randomness here (scripts/check-purity.mjs). The shapes they build
 * are the contract's (src/contract/read-models.ts).
 */
export * from "./event.js";
export * from "./summary.js";
export * from "./detail.js";
export * from "./statistics.js";
export * from "./timeline.js";
export * from "./attempts.js";
