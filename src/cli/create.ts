/**
 * `campaigns create`: a campaign from a JSON file (the seed's POST body, as in
 * examples/create-campaign.json) or from flags, its numbers from the body or a CSV
 * (`--numbers`, the import's format). The create's Command-Id comes from the client and the
 * body, so rerunning the same command answers the same campaign instead of making a second one;
 * numbers beyond one command's 10,000 are added after it in import chunks, which a rerun finishes
 * the same way.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { v5 as uuidv5 } from "uuid";
import type { CampaignsClient, CommandInput } from "../client/campaigns-client.js";
import { chunkRows, readRows } from "./csv-rows.js";
import { importNumbers, type ImportSummary } from "./import.js";
import type { Output } from "./progress-bar.js";
import { UsageError } from "./usage.js";

const CREATE_NAMESPACE = "0f3c7d2e-6a51-4f0b-8f5e-2d9a4c1b7e60";

type Body = CommandInput<"create-campaign">;

/** What the flags say; a flag left out is left to the file or to the service's defaults. */
export type CreateFlags = {
  file?: string | undefined;
  numbers?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  "start-date"?: string | undefined;
  "start-time"?: string | undefined;
  "finish-time"?: string | undefined;
  "call-flow"?: string | undefined;
  cli?: string | undefined;
  attempts?: string | undefined;
  "time-zone"?: string | undefined;
  "sms-on-busy"?: string | undefined;
  "answer-machine-detected"?: string | undefined;
  "ignore-invalid"?: boolean | undefined;
};

export type CreateResult = {
  reply: Awaited<ReturnType<CampaignsClient["createCampaign"]>>["reply"];
  /** The numbers added after the create, when the CSV held more than one command takes. */
  rest: ImportSummary | undefined;
};

const whole = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} ${value}: a whole number`);
  return Number(value);
};

/** `--attempts 15,60,120`: attempt 1 then waits 15 minutes before attempt 2, and so on. */
const attemptsOf = (value: string | undefined): Body["attempts"] | undefined =>
  value?.split(",").map((interval, i) => ({
    attemptNumber: i + 1,
    interval: whole("attempts", interval.trim()) ?? 0,
  }));

async function bodyOf(flags: CreateFlags): Promise<Record<string, unknown>> {
  if (flags.file === undefined) return {};
  let text: string;
  try {
    text = await readFile(flags.file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--file ${flags.file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`,
    );
  }
  try {
    const body: unknown = JSON.parse(text);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error();
    return body as Record<string, unknown>;
  } catch {
    throw new UsageError(`--file ${flags.file}: not a JSON object (the seed's POST body)`);
  }
}

export async function createCommand(
  client: CampaignsClient,
  flags: CreateFlags,
  err: Output,
): Promise<CreateResult> {
  const fromFile = await bodyOf(flags);
  const given = {
    id: flags.id,
    name: flags.name,
    startDate: flags["start-date"],
    startTime: flags["start-time"],
    finishTime: flags["finish-time"],
    callflow_Id: whole("call-flow", flags["call-flow"]),
    cli_Id: whole("cli", flags.cli),
    attempts: attemptsOf(flags.attempts),
    timeZone: flags["time-zone"],
    smsOnBusy: whole("sms-on-busy", flags["sms-on-busy"]),
    answerMachineDetected: whole("answer-machine-detected", flags["answer-machine-detected"]),
    ignoreInvalidPhoneNumbers: flags["ignore-invalid"] || undefined,
  };
  const body: Record<string, unknown> = { ...fromFile };
  for (const [field, value] of Object.entries(given)) if (value !== undefined) body[field] = value;

  let chunks: ReturnType<typeof chunkRows> = [];
  if (flags.numbers !== undefined) {
    const { rows, rejected } = readRows(await readFile(flags.numbers));
    if (rejected.length > 0)
      throw new UsageError(
        `--numbers ${flags.numbers}: line ${rejected[0]!.line}: ${rejected[0]!.reason}${rejected.length > 1 ? ` (and ${rejected.length - 1} more rows)` : ""}`,
      );
    chunks = chunkRows(rows);
    if (chunks.length === 0) throw new UsageError(`--numbers ${flags.numbers}: no numbers`);
    body.phoneNumbers = chunks[0]!.rows.map((r) => r.phone);
  }
  const missing = [
    ["name", "--name"],
    ["startDate", "--start-date"],
    ["startTime", "--start-time"],
    ["finishTime", "--finish-time"],
    ["callflow_Id", "--call-flow"],
    ["cli_Id", "--cli"],
    ["phoneNumbers", "--numbers"],
  ].filter(([field]) => body[field!] === undefined);
  if (missing.length > 0)
    throw new UsageError(
      `a campaign needs ${missing.map(([, flag]) => flag).join(", ")} (or --file with the seed's POST body)`,
    );

  const commandId = uuidv5(
    `create:${client.clientId}:${createHash("sha256").update(JSON.stringify(body)).digest("hex")}`,
    CREATE_NAMESPACE,
  );
  const { reply } = await client.createCampaign(body as Body, { commandId });
  const rest =
    chunks.length > 1
      ? await importNumbers(client, flags.numbers!, reply.id, err, { fromChunk: 1 })
      : undefined;
  return { reply, rest };
}

export function formatCreated({ reply, rest }: CreateResult, clientId: string): string {
  const n = (x: number) => x.toLocaleString("en-GB");
  const numbers = reply.phoneNumbers.length + (rest?.added ?? 0);
  const ignored = (reply.ignoredPhoneNumbers?.length ?? 0) + (rest?.invalid.length ?? 0);
  const duplicates = (reply.duplicates?.length ?? 0) + (rest?.duplicates.length ?? 0);
  const excluded = reply.excluded?.length ?? 0;
  const notes = [
    duplicates ? `${n(duplicates)} duplicates skipped` : "",
    ignored ? `${n(ignored)} invalid numbers ignored` : "",
    excluded ? `${n(excluded)} excluded numbers left out` : "",
  ].filter(Boolean);
  return [
    `created campaign ${reply.id} "${reply.name}" for client ${clientId}: ${n(numbers)} numbers${notes.length ? ` (${notes.join(", ")})` : ""}`,
    `  see it:     campaigns show ${reply.id} --client ${clientId}`,
    `  its figures: campaigns stats ${reply.id} --client ${clientId}`,
    "",
  ].join("\n");
}
