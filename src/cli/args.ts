/**
 * A subcommand's command line: node's parseArgs, with its errors said in the CLI's own words
 * (naming the option, never "To specify a positional argument starting with a '-'...") and
 * `--help` / `-h` understood by every subcommand.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage.js";

export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: false; default?: string | boolean }
>;
export type Values<O extends OptionSpec> = {
  [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string;
};

/** `campaigns <command> --help`: the caller prints the command's help and exits 0. */
export class HelpRequested extends Error {
  override readonly name = "HelpRequested";
}

export function parseCommand<O extends OptionSpec>(
  args: readonly string[],
  options: O,
): { positionals: string[]; values: Values<O> } {
  if (args.includes("--help") || args.includes("-h")) throw new HelpRequested();
  try {
    const { positionals, values } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options,
    });
    return { positionals, values: values as Values<O> };
  } catch (error) {
    throw new UsageError(plainly(error, options));
  }
}

/** One positional (the campaign id or a file) and the command's options. */
export function parseWithOne<O extends OptionSpec>(
  args: readonly string[],
  options: O,
  what: string,
): { id: string; values: Values<O> } {
  const { positionals, values } = parseCommand(args, options);
  if (positionals.length === 0) throw new UsageError(`<${what}> is required`);
  if (positionals.length > 1)
    throw new UsageError(
      `expected one <${what}>, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  return { id: positionals[0]!, values };
}

function plainly(error: unknown, options: OptionSpec): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'(-[^']*)'/.exec(message)?.[1];
  const known = Object.keys(options)
    .map((name) => `--${name}`)
    .join(", ");
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted ?? ""}`.trim() + (known ? ` (options: ${known})` : "");
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--([\w-]+)/.exec(message)?.[1];
      const spec = name === undefined ? undefined : options[name];
      return spec?.type === "boolean"
        ? `--${name} takes no value`
        : `${name === undefined ? "an option" : `--${name}`} needs a value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted ?? ""}`.trim();
    default:
      return message;
  }
}
