import { z } from "zod";

/**
 * Exclusion list events: in the client's stream `exclusions-<clientId>` for
 * its list, and in the campaign's stream for the campaign's own list.
 * `alreadyExcluded` and `invalid` are kept so that a repeated command
 * (same Command-Id) gets its first reply back.
 */
export const ExclusionsAdded = z.object({
  type: z.literal("ExclusionsAdded"),
  data: z.object({
    addedAt: z.string(),
    entries: z.array(
      z.object({
        number: z.string(),
        e164: z.string(),
        reason: z.string().optional(),
        expiresAt: z.string().optional(),
      }),
    ),
    alreadyExcluded: z.number().int().nonnegative(),
    invalid: z.array(z.object({ index: z.number().int(), number: z.string(), reason: z.string() })),
  }),
});
export const ExclusionsRemoved = z.object({
  type: z.literal("ExclusionsRemoved"),
  data: z.object({ numbers: z.array(z.string()) }),
});
export const ExclusionListEvent = z.discriminatedUnion("type", [
  ExclusionsAdded,
  ExclusionsRemoved,
]);
export type ExclusionListEvent = z.infer<typeof ExclusionListEvent>;
