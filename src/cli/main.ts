#!/usr/bin/env node
/**
 * `campaigns`: the operator's command line. It talks to a running service over NATS (NATS_URL)
 * with the typed client; `rebuild` opens the event store named by the configuration directly.
 * The commands are in commands.ts; this file finds the one asked for and says how it ended.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CampaignRequestError } from "../client/campaigns-client.js";
import { ConfigError } from "../main/config.js";
import { HelpRequested } from "./args.js";
import { type CliIo, commands, helpOf, usage } from "./commands.js";
import { CampaignNotFound, formatStoredSoFar, ImportFailed, ImportInterrupted } from "./import.js";
import { UsageError } from "./usage.js";

export type { CliIo };
/** Exit code of a command stopped by Ctrl-C, as shells report SIGINT. */
const INTERRUPTED = 130;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const named = first === "help" ? commands.find((c) => c.name === rest.join(" ")) : undefined;
    io.stdout.write(`${named ? helpOf(named) : usage()}\n`);
    return first === undefined ? 2 : 0;
  }
  // Two-word commands first ("exclusions import"), then one word.
  const command =
    commands.find((c) => c.name === `${first} ${rest[0]}`) ??
    commands.find((c) => c.name === first);
  if (command === undefined) return report(new UsageError(`unknown command "${first}"`), io);
  const args = command.name.includes(" ") ? rest.slice(1) : rest;
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(`${helpOf(command)}\n`);
      return 0;
    }
    return report(error, io, command.name);
  }
}

function report(error: unknown, io: CliIo, command?: string): number {
  const line = (text: string) => io.stderr.write(`${text}\n`);
  const who = command === undefined ? "campaigns" : `campaigns ${command}`;
  if (error instanceof UsageError) {
    line(`${who}: ${error.message}`);
    const known = commands.find((c) => c.name === command);
    line(known ? helpOf(known) : usage());
    return 2;
  }
  if (error instanceof ConfigError) {
    line(error.message);
    return 2;
  }
  if (error instanceof CampaignNotFound) {
    line(
      `${who}: ${error.message}: nothing was imported; create it first (campaigns create --help) or check --campaign and --client`,
    );
    return 1;
  }
  if (error instanceof ImportFailed) {
    line(`${who}: ${error.message}`);
    describeServiceError(error.failure, line);
    io.stderr.write(formatStoredSoFar(error.summary));
    return error.failure instanceof ImportInterrupted ? INTERRUPTED : 1;
  }
  if (error instanceof CampaignRequestError) {
    line(`${who}: ${error.status} ${error.code}: ${error.message}`);
    describeServiceError(error, line);
    return 1;
  }
  line(`${who}: ${error instanceof Error ? error.message : String(error)}`);
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
  // Ctrl-C: long commands stop and say what they did; a second Ctrl-C ends at once.
  const interrupt = new AbortController();
  if (command !== "serve")
    process.once("SIGINT", () => {
      interrupt.abort();
      process.once("SIGINT", () => process.exit(INTERRUPTED));
    });
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: interrupt.signal,
  });
  if (command !== "serve" || code !== 0) process.exitCode = code;
}
