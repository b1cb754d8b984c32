#!/usr/bin/env node
/**
 * `campaigns`: the operator's command line. It talks to a running service
 * over NATS (NATS_URL) with the typed client; `rebuild` opens the event store
 * named by the configuration directly.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect } from "nats";
import { pino } from "pino";
import { ConfigError, loadConfig } from "../main/config.js";
import { serve } from "../main/serve.js";
import {
  CampaignRequestError,
  CampaignsClient,
  tenantConnectionOptions,
} from "../client/campaigns-client.js";
import { authRefusal, isNatsAuthFailure, natsSettings } from "../main/nats-connection.js";
import { TENANT } from "../contract/subjects.js";
import { toJson } from "../contract/wire.js";
import { historyCommand, stateCommand } from "./history.js";
import { formatSummary, ImportFailed, importNumbers } from "./import.js";
import { formatExclusionsSummary, importExclusions } from "./import-exclusions.js";
import type { Output } from "./progress-bar.js";
import { rebuildCommand } from "./rebuild.js";
import { exportCommand } from "./export.js";
import { ExportKind } from "../contract/reporting.js";
import { UsageError } from "./usage.js";

export type CliIo = { stdout: Output; stderr: Output; env: Record<string, string | undefined> };

export const USAGE = `usage: campaigns <command> [options]
  serve                                               run the service (what npm start runs)
  history <id> --client <c> [--json]                  the campaign's audit timeline, as a table or JSON
  state <id> --client <c> (--at <iso> | --revision <n>)  the campaign's GET body as it stood then
  rebuild [summary|detail|statistics|timeline|attempts]
                                                      rebuild read models from the start of the log
  import <file.csv> --client <c> --campaign <id> [--json]
                                                      add the CSV's numbers (header: number,name,parameter1..parameter9)
  exclusions import <file.csv> --client <c> [--campaign <id>] [--json]
                                                      add the CSV's numbers (header: number,reason,expiresAt) to the
                                                      client's exclusion list, or the campaign's
  export <id> --client <c> --kind results|attempts [-o <file>]
                                                      the campaign's results (a row per number) or attempts (a row per
                                                      attempt) as CSV, to the file or stdout, progress on stderr
environment: NATS_URL (default nats://127.0.0.1:4222); rebuild also reads EVENT_STORE, DATA_DIR,
EVENTSTORE_CONNECTION_STRING and LOG_LEVEL as the service does`;

const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "serve":
        await serve();
        return 0;
      case "history": {
        const { id, values } = withId(args, {
          client: { type: "string" },
          json: { type: "boolean", default: false },
        });
        await withClient(io, clientOf(values.client), (client) =>
          historyCommand(client, id, values.json === true, io.stdout),
        );
        return 0;
      }
      case "state": {
        const { id, values } = withId(args, {
          client: { type: "string" },
          at: { type: "string" },
          revision: { type: "string" },
        });
        if ((values.at === undefined) === (values.revision === undefined))
          throw new UsageError("give exactly one of --at <iso> or --revision <n>");
        const revision = values.revision === undefined ? undefined : Number(values.revision);
        if (revision !== undefined && !Number.isInteger(revision))
          throw new UsageError(`--revision ${values.revision} is not a whole number`);
        await withClient(io, clientOf(values.client), (client) =>
          stateCommand(
            client,
            id,
            values.at === undefined ? { revision: revision! } : { at: values.at },
            io.stdout,
          ),
        );
        return 0;
      }
      case "rebuild": {
        const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
        if (positionals.length > 1)
          throw new UsageError("rebuild takes at most one projection name");
        const config = loadConfig(io.env);
        const logger = pino(
          { level: config.LOG_LEVEL, base: { service: "campaigns-cli" } },
          pino.destination(2),
        );
        const result = await rebuildCommand(config, positionals[0], logger, io.stderr);
        io.stdout.write(
          `rebuilt ${result.projections.join(", ")}: ${result.events.toLocaleString("en-GB")} campaign events up to position ${result.head} in ${result.seconds.toFixed(1)} s\n`,
        );
        return 0;
      }
      case "import": {
        const { id: file, values } = withId(
          args,
          {
            client: { type: "string" },
            campaign: { type: "string" },
            json: { type: "boolean", default: false },
          },
          "file.csv",
        );
        if (values.campaign === undefined) throw new UsageError("--campaign <id> is required");
        const campaign = values.campaign;
        const summary = await withClient(io, clientOf(values.client), (client) =>
          importNumbers(client, file, campaign, io.stderr),
        );
        io.stdout.write(values.json ? `${toJson(summary)}\n` : formatSummary(summary));
        return 0;
      }
      case "exclusions": {
        const [sub, ...rest] = args;
        if (sub !== "import")
          throw new UsageError(
            "exclusions takes one subcommand: import <file.csv> --client <c> [--campaign <id>]",
          );
        const { id: file, values } = withId(
          rest,
          {
            client: { type: "string" },
            campaign: { type: "string" },
            json: { type: "boolean", default: false },
          },
          "file.csv",
        );
        const summary = await withClient(io, clientOf(values.client), (client) =>
          importExclusions(client, file, values.campaign, io.stderr),
        );
        io.stdout.write(
          values.json
            ? `${toJson(summary)}
`
            : formatExclusionsSummary(summary),
        );
        return 0;
      }
      case "export": {
        const { id, values } = withId(args, {
          client: { type: "string" },
          kind: { type: "string" },
          output: { type: "string", short: "o" },
        });
        const kind = ExportKind.safeParse(values.kind);
        if (!kind.success) throw new UsageError("--kind results or --kind attempts is required");
        const summary = await withClient(io, clientOf(values.client), (client) =>
          exportCommand(client, id, kind.data, values.output, io.stdout, io.stderr),
        );
        if (values.output !== undefined)
          io.stderr.write(
            `wrote ${summary.rows.toLocaleString("en-GB")} rows to ${values.output}\n`,
          );
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return report(error, io);
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** One positional (the campaign id or the file) and the command's options; anything else is a usage error. */
function withId<O extends Options>(args: readonly string[], options: O, what = "id") {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: options!,
  });
  if (positionals.length !== 1)
    throw new UsageError(`expected one <${what}>, got ${positionals.length}`);
  return {
    id: positionals[0]!,
    values: values as unknown as {
      [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : string;
    },
  };
}

function clientOf(client: string | undefined): string {
  if (client === undefined) throw new UsageError("--client <c> is required");
  if (!TENANT.test(client))
    throw new UsageError(`--client ${client}: 1 to 64 letters, digits, '-' or '_'`);
  return client;
}

async function withClient<T>(
  io: CliIo,
  clientId: string,
  run: (client: CampaignsClient) => Promise<T>,
): Promise<T> {
  const nats = natsSettings({ ...io.env, NATS_URL: io.env.NATS_URL || DEFAULT_NATS_URL });
  // As the tenant: its replies under its own inbox prefix (CONTRACT.md "Tenants and NATS
  // permissions").
  const nc = await connect({
    servers: nats.servers,
    ...nats.auth,
    ...tenantConnectionOptions(clientId),
    name: "campaigns-cli",
    timeout: 5000,
  }).catch((error: unknown) => {
    if (isNatsAuthFailure(error)) throw authRefusal(nats);
    throw new Error(
      `cannot reach NATS at ${nats.shownServers} (${error instanceof Error ? error.message : String(error)}); set NATS_URL`,
    );
  });
  try {
    return await run(new CampaignsClient(nc, clientId));
  } finally {
    await nc.drain();
  }
}

function report(error: unknown, io: CliIo): number {
  const line = (text: string) => io.stderr.write(`${text}\n`);
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    line(`campaigns: ${(error as Error).message}`);
    line(USAGE);
    return 2;
  }
  if (error instanceof ConfigError) {
    line(error.message);
    return 2;
  }
  if (error instanceof ImportFailed) {
    io.stdout.write(formatSummary(error.summary));
    line(`campaigns import: ${error.message}`);
    describeServiceError(error.failure, line);
    line(
      "rerun the same command to finish: chunks already written are recognised by their Command-Id and add nothing twice",
    );
    return 1;
  }
  if (error instanceof CampaignRequestError) {
    line(`campaigns: ${error.status} ${error.code}: ${error.message}`);
    describeServiceError(error, line);
    return 1;
  }
  line(`campaigns: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

function describeServiceError(error: unknown, line: (text: string) => void): void {
  if (!(error instanceof CampaignRequestError)) return;
  for (const d of error.details)
    line(
      `  ${[d.field, d.index === undefined ? undefined : `#${d.index}`, d.number].filter(Boolean).join(" ")}: ${d.reason}`,
    );
}

const invoked = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (invoked === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  if (command !== "serve" || code !== 0) process.exitCode = code;
}
