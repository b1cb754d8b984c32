import { z } from "zod";
import { PositiveInt } from "../schema-parts.js";

/** A client's call flows and caller IDs, which its campaigns must reference. Stream `client-<clientId>`. */
export const RegisterCallFlowBody = z.strictObject({
  callFlowId: PositiveInt,
  name: z.string().trim().min(1).max(200),
});
export const RegisterCliBody = z.strictObject({
  cliId: PositiveInt,
  number: z.string().min(1).max(64),
});
export type RegisterCallFlowBody = z.infer<typeof RegisterCallFlowBody>;
export type RegisterCliBody = z.infer<typeof RegisterCliBody>;

export type DirectoryCommand =
  | { type: "RegisterCallFlow"; clientId: string; data: RegisterCallFlowBody }
  | { type: "RegisterCli"; clientId: string; data: RegisterCliBody };
