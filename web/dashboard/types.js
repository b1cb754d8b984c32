// @ts-check
/**
 * The shapes the dashboard reads, from the contract itself: a change to a reply the page uses
 * fails `npm run lint` here.
 */
/** @typedef {import("../../src/contract/read-models.js").CampaignSummary} CampaignSummary */
/** @typedef {import("../../src/contract/read-models.js").CampaignStatistics} CampaignStatistics */
/** @typedef {import("../../src/contract/reporting.js").CampaignTimeline} CampaignTimeline */
/** @typedef {import("../../src/contract/reporting.js").TimelineBucket} TimelineBucket */
/** @typedef {import("zod").infer<typeof import("../../src/contract/replies.js").DialQueueReply>} DialQueue */
/** @typedef {import("../../src/contract/codes.js").CodeText} CodeText */
/** @typedef {{ outcomes: CodeText[]; stages: CodeText[]; results: { result: string; label: string; description: string }[] }} Codes */
/** A campaign as the list shows it: its summary and, when they could be read, its statistics. */
/** @typedef {{ summary: CampaignSummary; stats: CampaignStatistics | null }} Campaign */
export {};
