/**
 * The `campaigns` subcommands: each with its synopsis, a line for the overview, its own help
 * (`campaigns <command> --help`) and what it runs. The overview and every help text come from
 * this table, so a command cannot be added without them.
 */
import { pino } from "pino";
import { CampaignRequestError } from "../client/campaigns-client.js";
import { ExportKind } from "../contract/reporting.js";
import { toJson } from "../contract/wire.js";
import { loadConfig } from "../main/config.js";
import { serve } from "../main/serve.js";
import { type OptionSpec, parseCommand, parseWithOne } from "./args.js";
import { formatCampaign, formatList, formatStats } from "./campaign-views.js";
import { clientOf, withClient } from "./connect.js";
import { createCommand, formatCreated } from "./create.js";
import { exportCommand } from "./export.js";
import { historyCommand, stateCommand } from "./history.js";
import { formatSummary, importNumbers } from "./import.js";
import { formatExclusionsSummary, importExclusions } from "./import-exclusions.js";
import type { Output } from "./progress-bar.js";
import { rebuildCommand } from "./rebuild.js";
import { UsageError } from "./usage.js";

export type CliIo = {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: a long command stops and says what it did. */
  signal?: AbortSignal;
};

export type Command = {
  name: string;
  synopsis: string;
  summary: string;
  /** What `campaigns <name> --help` adds below the synopsis. */
  help: string[];
  run(args: readonly string[], io: CliIo): Promise<number>;
};

const client = { client: { type: "string" } } as const satisfies OptionSpec;
const json = { json: { type: "boolean" } } as const satisfies OptionSpec;
const NATS_HELP =
  "Talks to the running service over NATS: NATS_URL (default nats://127.0.0.1:4222).";

const printed = (io: CliIo, text: string) => {
  io.stdout.write(text);
  return 0;
};

export const commands: readonly Command[] = [
  {
    name: "serve",
    synopsis: "serve",
    summary: "run the service (what npm start runs), configured from the environment",
    help: ["The service's configuration is in the README (Configuration)."],
    async run(args) {
      parseCommand(args, {});
      await serve();
      return 0;
    },
  },
  {
    name: "create",
    synopsis:
      "create --client <c> (--file <body.json> | --name <n> --start-date <yyyy-mm-dd> --start-time <hh:mm> --finish-time <hh:mm> --call-flow <id> --cli <id> --attempts <minutes,...>) [--numbers <file.csv>] [--id <id>] [--json]",
    summary: "create a campaign from the seed's POST body in a JSON file, or from flags",
    help: [
      "--file <body.json>      the seed's POST body (examples/create-campaign.json); flags given as well override its fields",
      "--numbers <file.csv>    the numbers, as for import (header: number,name,parameter1..parameter9); more than",
      "                        10,000 are added after the create in chunks",
      "--attempts 15,60,120    one attempt per value: the minutes to wait after it before the next",
      "--id <id>               the campaign's id (default: one derived from the request, so a rerun finds the same)",
      "--time-zone <zone>      IANA zone of the calling windows (default: DEFAULT_TIME_ZONE of the service)",
      "--sms-on-busy <0|1|2>, --answer-machine-detected <0|1|2>   the seed's policies (default 0)",
      "--ignore-invalid        leave invalid numbers out instead of refusing the campaign",
      "Rerunning the same command answers the campaign it made, instead of making another.",
      "Call flow and CLI must be registered for the client first (POST /api/call-flows, /api/clis).",
      NATS_HELP,
    ],
    async run(args, io) {
      const { positionals, values } = parseCommand(args, {
        ...client,
        ...json,
        file: { type: "string" },
        numbers: { type: "string" },
        id: { type: "string" },
        name: { type: "string" },
        "start-date": { type: "string" },
        "start-time": { type: "string" },
        "finish-time": { type: "string" },
        "call-flow": { type: "string" },
        cli: { type: "string" },
        attempts: { type: "string" },
        "time-zone": { type: "string" },
        "sms-on-busy": { type: "string" },
        "answer-machine-detected": { type: "string" },
        "ignore-invalid": { type: "boolean" },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      const clientId = clientOf(values.client);
      const result = await withClient(io.env, clientId, (c) => createCommand(c, values, io.stderr));
      return printed(io, values.json ? `${toJson(result)}\n` : formatCreated(result, clientId));
    },
  },
  {
    name: "list",
    synopsis: "list --client <c> [--json]",
    summary: "the client's campaigns: id, name, status, numbers, when they start",
    help: [NATS_HELP],
    async run(args, io) {
      const { positionals, values } = parseCommand(args, { ...client, ...json });
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      const clientId = clientOf(values.client);
      const list = await withClient(io.env, clientId, (c) => c.listCampaigns());
      return printed(io, values.json ? `${toJson(list)}\n` : formatList(list, clientId));
    },
  },
  {
    name: "show",
    synopsis: "show <id> --client <c> [--json]",
    summary: "one campaign: its settings and its first numbers with their progress",
    help: ["--json prints the seed's GET body, every number included.", NATS_HELP],
    async run(args, io) {
      const { id, values } = parseWithOne(args, { ...client, ...json }, "id");
      const clientId = clientOf(values.client);
      const campaign = await withClient(io.env, clientId, (c) =>
        values.json ? c.getWholeCampaign({ id }) : c.getCampaign({ id }),
      );
      return printed(
        io,
        values.json ? `${toJson(campaign)}\n` : formatCampaign(campaign, clientId),
      );
    },
  },
  {
    name: "stats",
    synopsis: "stats <id> --client <c> [--json]",
    summary:
      "how far a campaign has come: numbers by result, answer and contact rates, outcomes, the dial queue",
    help: [
      "Answer rate: attempts answered / attempts recorded. Contact rate: numbers answered / numbers tried.",
      NATS_HELP,
    ],
    async run(args, io) {
      const { id, values } = parseWithOne(args, { ...client, ...json }, "id");
      const clientId = clientOf(values.client);
      const [campaign, stats, queue] = await withClient(io.env, clientId, (c) =>
        Promise.all([
          c.getCampaign({ id }),
          c.getCampaignStatistics({ id }),
          c.getDialQueue({ id }).catch((error: unknown) => {
            if (error instanceof CampaignRequestError && error.status === 404) throw error;
            return undefined;
          }),
        ]),
      );
      return printed(
        io,
        values.json
          ? `${toJson({ statistics: stats, dialQueue: queue ?? null })}\n`
          : formatStats(campaign.name, stats, queue),
      );
    },
  },
  {
    name: "history",
    synopsis: "history <id> --client <c> [--json]",
    summary: "the campaign's audit timeline, one line per event, or the events as JSON",
    help: ["Works after a delete, for the campaign's owner.", NATS_HELP],
    async run(args, io) {
      const { id, values } = parseWithOne(args, { ...client, ...json }, "id");
      await withClient(io.env, clientOf(values.client), (c) =>
        historyCommand(c, id, values.json === true, io.stdout),
      );
      return 0;
    },
  },
  {
    name: "state",
    synopsis: "state <id> --client <c> (--at <iso> | --revision <n>)",
    summary: "the campaign's GET body as it stood at a time or revision",
    help: [NATS_HELP],
    async run(args, io) {
      const { id, values } = parseWithOne(
        args,
        { ...client, at: { type: "string" }, revision: { type: "string" } },
        "id",
      );
      if ((values.at === undefined) === (values.revision === undefined))
        throw new UsageError("give exactly one of --at <iso> or --revision <n>");
      const revision = values.revision === undefined ? undefined : Number(values.revision);
      if (revision !== undefined && !Number.isInteger(revision))
        throw new UsageError(`--revision ${values.revision} is not a whole number`);
      const at = values.at === undefined ? { revision: revision! } : { at: values.at };
      await withClient(io.env, clientOf(values.client), (c) => stateCommand(c, id, at, io.stdout));
      return 0;
    },
  },
  {
    name: "import",
    synopsis: "import <file.csv> --client <c> --campaign <id> [--json]",
    summary: "add the CSV's numbers to a campaign, in chunks a rerun finishes without adding twice",
    help: [
      "The CSV has a header row naming number, name and parameter1..parameter9 (any order and case).",
      "Interrupted (Ctrl-C) or failed, it says what was stored; rerun the same command to finish.",
      NATS_HELP,
    ],
    async run(args, io) {
      const { id: file, values } = parseWithOne(
        args,
        { ...client, ...json, campaign: { type: "string" } },
        "file.csv",
      );
      if (values.campaign === undefined) throw new UsageError("--campaign <id> is required");
      const campaign = values.campaign;
      const summary = await withClient(io.env, clientOf(values.client), (c) =>
        importNumbers(c, file, campaign, io.stderr, io.signal ? { signal: io.signal } : {}),
      );
      return printed(io, values.json ? `${toJson(summary)}\n` : formatSummary(summary));
    },
  },
  {
    name: "exclusions import",
    synopsis: "exclusions import <file.csv> --client <c> [--campaign <id>] [--json]",
    summary:
      "add the CSV's numbers (header: number,reason,expiresAt) to the client's exclusion list, or a campaign's",
    help: [NATS_HELP],
    async run(args, io) {
      const { id: file, values } = parseWithOne(
        args,
        { ...client, ...json, campaign: { type: "string" } },
        "file.csv",
      );
      const summary = await withClient(io.env, clientOf(values.client), (c) =>
        importExclusions(c, file, values.campaign, io.stderr),
      );
      return printed(io, values.json ? `${toJson(summary)}\n` : formatExclusionsSummary(summary));
    },
  },
  {
    name: "export",
    synopsis: "export <id> --client <c> --kind results|attempts [-o <file>]",
    summary: "the campaign's results (a row per number) or attempts (a row per attempt) as CSV",
    help: ["To the file, or to stdout; progress on stderr.", NATS_HELP],
    async run(args, io) {
      const { id, values } = parseWithOne(
        args,
        { ...client, kind: { type: "string" }, output: { type: "string", short: "o" } },
        "id",
      );
      const kind = ExportKind.safeParse(values.kind);
      if (!kind.success) throw new UsageError("--kind results or --kind attempts is required");
      const summary = await withClient(io.env, clientOf(values.client), (c) =>
        exportCommand(c, id, kind.data, values.output, io.stdout, io.stderr),
      );
      if (values.output !== undefined)
        io.stderr.write(`wrote ${summary.rows.toLocaleString("en-GB")} rows to ${values.output}\n`);
      return 0;
    },
  },
  {
    name: "rebuild",
    synopsis: "rebuild [summary|detail|statistics|timeline|attempts] [--create]",
    summary: "rebuild read models from the start of the log (the service may keep running)",
    help: [
      "Opens the event store as the service does: EVENT_STORE, DATA_DIR, EVENTSTORE_CONNECTION_STRING, and NATS_URL.",
      "A DATA_DIR without a store is refused; --create starts an empty one there instead.",
    ],
    async run(args, io) {
      const { positionals, values } = parseCommand(args, { create: { type: "boolean" } });
      if (positionals.length > 1) throw new UsageError("rebuild takes at most one projection name");
      const config = loadConfig(io.env);
      const logger = pino(
        { level: config.LOG_LEVEL, base: { service: "campaigns-cli" } },
        pino.destination(2),
      );
      const result = await rebuildCommand(
        config,
        positionals[0],
        logger,
        io.stderr,
        values.create === true,
      );
      return printed(
        io,
        `rebuilt ${result.projections.join(", ")}: ${result.events.toLocaleString("en-GB")} campaign events up to position ${result.head} in ${result.seconds.toFixed(1)} s\n`,
      );
    },
  },
];

/** The overview: every command's synopsis and line. */
export function usage(): string {
  const lines = commands.flatMap((c) => [`  ${c.synopsis}`, `      ${c.summary}`]);
  return [
    "usage: campaigns <command> [options]     (campaigns <command> --help for one command)",
    ...lines,
    "environment: NATS_URL (default nats://127.0.0.1:4222) and NATS credentials as the service reads them",
  ].join("\n");
}

export const helpOf = (command: Command): string =>
  [
    `usage: campaigns ${command.synopsis}`,
    `  ${command.summary}`,
    ...command.help.map((l) => `  ${l}`),
  ].join("\n");
