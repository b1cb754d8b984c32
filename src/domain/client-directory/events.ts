import { z } from "zod";

export const CallFlowRegistered = z.object({
  type: z.literal("CallFlowRegistered"),
  data: z.object({ callFlowId: z.number().int(), name: z.string() }),
});
export const CliRegistered = z.object({
  type: z.literal("CliRegistered"),
  data: z.object({ cliId: z.number().int(), number: z.string(), e164: z.string() }),
});
export const DirectoryEvent = z.discriminatedUnion("type", [CallFlowRegistered, CliRegistered]);
export type DirectoryEvent = z.infer<typeof DirectoryEvent>;
