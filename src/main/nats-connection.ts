/**
 * How the service and the CLI reach NATS: the servers of NATS_URL and one
 * source of credentials, NATS_CREDS (a .creds file), NATS_USER + NATS_PASSWORD,
 * NATS_TOKEN, or `user:password@` in NATS_URL (nats.js 2.x does not read those
 * by itself, so they are taken out of the URL here). Errors name the variable;
 * no secret is ever part of a message or a log line (`shownServers`).
 */
import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator, ErrorCode, type NatsError } from "nats";
import { ConfigError } from "./config.js";

export type NatsEnv = {
  NATS_URL: string;
  NATS_CREDS?: string | undefined;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  NATS_TOKEN?: string | undefined;
};

export type NatsSettings = {
  /** Server URLs without credentials. */
  servers: string[];
  /** The same, for messages and logs. */
  shownServers: string;
  /** The variable(s) the credentials came from; undefined without credentials. */
  credentialSource: string | undefined;
  auth: Pick<ConnectionOptions, "user" | "pass" | "token" | "authenticator">;
};

type ParsedUrl = { server: string; user?: string; pass?: string };

const parseUrl = (url: string): ParsedUrl => {
  const match = /^([a-z]+:\/\/)(?:([^@/]*)@)?(.*)$/.exec(url.trim());
  if (!match) return { server: url.trim() };
  const [, scheme, userInfo, rest] = match;
  if (userInfo === undefined) return { server: `${scheme}${rest}` };
  const colon = userInfo.indexOf(":");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return colon < 0
    ? { server: `${scheme}${rest}`, user: decode(userInfo) }
    : {
        server: `${scheme}${rest}`,
        user: decode(userInfo.slice(0, colon)),
        pass: decode(userInfo.slice(colon + 1)),
      };
};

export function natsSettings(env: NatsEnv): NatsSettings {
  const urls = env.NATS_URL.split(",").map(parseUrl);
  const servers = urls.map((u) => u.server);
  const shownServers = servers.join(",");
  const inUrl = urls.find((u) => u.user !== undefined);
  const sources = [
    env.NATS_CREDS ? "NATS_CREDS" : undefined,
    env.NATS_USER || env.NATS_PASSWORD ? "NATS_USER/NATS_PASSWORD" : undefined,
    env.NATS_TOKEN ? "NATS_TOKEN" : undefined,
    inUrl ? "NATS_URL" : undefined,
  ].filter((s): s is string => s !== undefined);
  if (sources.length > 1)
    throw new ConfigError(
      `invalid configuration: ${sources[1]!.split("/")[0]}: NATS credentials come from ${sources.join(" and ")}; set only one of NATS_CREDS, NATS_USER + NATS_PASSWORD, NATS_TOKEN or user:password in NATS_URL`,
    );
  const source = sources[0];
  const settings = (auth: NatsSettings["auth"]): NatsSettings => ({
    servers,
    shownServers,
    credentialSource: source,
    auth,
  });
  if (source === "NATS_CREDS") {
    let creds: Uint8Array;
    try {
      creds = readFileSync(env.NATS_CREDS!);
    } catch (error) {
      throw new ConfigError(
        `invalid configuration: NATS_CREDS=${JSON.stringify(env.NATS_CREDS)}: cannot read the credentials file (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    if (!/-----BEGIN NATS USER JWT-----/.test(Buffer.from(creds).toString("utf8")))
      throw new ConfigError(
        `invalid configuration: NATS_CREDS=${JSON.stringify(env.NATS_CREDS)}: not a NATS .creds file (no user JWT)`,
      );
    return settings({ authenticator: credsAuthenticator(creds) });
  }
  if (source === "NATS_USER/NATS_PASSWORD") {
    if (!env.NATS_USER)
      throw new ConfigError("invalid configuration: NATS_USER: required with NATS_PASSWORD");
    if (!env.NATS_PASSWORD)
      throw new ConfigError("invalid configuration: NATS_PASSWORD: required with NATS_USER");
    return settings({ user: env.NATS_USER, pass: env.NATS_PASSWORD });
  }
  if (source === "NATS_TOKEN") return settings({ token: env.NATS_TOKEN! });
  if (source === "NATS_URL") {
    // `token@host` (no colon) is a token, as nats-server's own URLs have it.
    return inUrl!.pass === undefined
      ? settings({ token: inUrl!.user! })
      : settings({ user: inUrl!.user!, pass: inUrl!.pass });
  }
  return settings({});
}

const AUTH_CODES: ReadonlySet<string> = new Set([
  ErrorCode.AuthorizationViolation,
  ErrorCode.AuthenticationExpired,
  ErrorCode.AuthenticationTimeout,
]);
export const isNatsAuthFailure = (error: unknown): boolean => {
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (AUTH_CODES.has((e as NatsError).code)) return true;
  return false;
};

/**
 * A peer at NATS_URL that is not a NATS server: it sends no greeting (nats.js times out) or
 * something else (an HTTP or SSH server answers).
 */
export const isNotNats = (error: unknown): boolean =>
  error instanceof Error &&
  ((error as NatsError).code === ErrorCode.Timeout ||
    /unexpected response from server/.test(error.message));

/** The one line start-up (and the CLI) stops with when NATS_URL reaches something that is not NATS. */
export const notNatsRefusal = (settings: NatsSettings): ConfigError =>
  new ConfigError(
    `invalid configuration: NATS_URL=${JSON.stringify(settings.shownServers)}: something answers there but it is not a NATS server (it sent no NATS greeting); set NATS_URL to your NATS server, or stop what listens there so that a local nats-server can be started`,
  );

/** A connection the server refused for its credentials, as the one line start-up stops with. */
export const authRefusal = (settings: NatsSettings): ConfigError =>
  new ConfigError(
    settings.credentialSource === undefined
      ? `invalid configuration: NATS_URL=${JSON.stringify(settings.shownServers)}: the server requires credentials; set NATS_CREDS, NATS_USER and NATS_PASSWORD, or NATS_TOKEN`
      : `invalid configuration: ${settings.credentialSource}: the NATS server at ${settings.shownServers} refused these credentials`,
  );
