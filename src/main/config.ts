import { isIP } from "node:net";
import { z } from "zod";
import { isValidTimeZone } from "../domain/index.js";
import { TENANT, TENANT_TEXT } from "../contract/subjects.js";

/** Parses `key1:clientA,key2:clientB`; a key maps to exactly one client. */
const ApiKeys = z
  .string()
  .default("")
  .transform((raw, ctx) => {
    const keys = new Map<string, string>();
    for (const pair of raw
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [key, client, ...rest] = pair.split(":");
      if (!key || !client || rest.length > 0 || !TENANT.test(client)) {
        ctx.addIssue({
          code: "custom",
          message: `an entry is not key:client with a client of ${TENANT_TEXT}`,
        });
        return z.NEVER;
      }
      if (keys.has(key)) {
        ctx.addIssue({
          code: "custom",
          message: "a key appears twice (each key maps to one client)",
        });
        return z.NEVER;
      }
      keys.set(key, client);
    }
    return keys;
  });

const Port = z
  .union([z.literal("").transform(() => undefined), z.coerce.number().int().min(1).max(65535)])
  .optional();
/** Empty = off (loadConfig maps it to "off"); 0 = any free port (tests). */
const OpsPort = z
  .union([z.literal("off").transform(() => null), z.coerce.number().int().min(0).max(65535)])
  .default(9464)
  .transform((port) => port ?? undefined); // null, not undefined, until here: zod's default would replace undefined
/** A duration such as `30d`, `12h`, `90m` or `0` (no limit), in seconds. */
const Duration = z
  .string()
  .regex(/^(0|\d+[smhd])$/, "a duration such as 365d, 12h, 90m or 0 (no limit)")
  .transform((raw) =>
    raw === "0"
      ? 0
      : Number(raw.slice(0, -1)) *
        { s: 1, m: 60, h: 3600, d: 86_400 }[raw.slice(-1) as "s" | "m" | "h" | "d"],
  );

/** The service's configuration, from the environment (names fixed by CONTRACT.md). */
export const Config = z
  .object({
    NATS_URL: z
      .string()
      .regex(
        /^(nats|tls|ws|wss):\/\/[^\s,/]+(,(nats|tls|ws|wss):\/\/[^\s,/]+)*$/,
        "one or more nats://host:port URLs, separated by commas",
      )
      .default("nats://127.0.0.1:4222"),
    /** NATS credentials, one source at most (see nats-connection.ts); user:password in NATS_URL works too. */
    NATS_CREDS: z.string().optional(),
    NATS_USER: z.string().optional(),
    NATS_PASSWORD: z.string().optional(),
    NATS_TOKEN: z.string().optional(),
    EVENT_STORE: z.enum(["sqlite", "memory", "eventstoredb"]).default("sqlite"),
    DATA_DIR: z.string().min(1).default("./data"),
    EVENTSTORE_CONNECTION_STRING: z.string().startsWith("esdb").optional(),
    HTTP_PORT: Port,
    API_KEYS: ApiKeys,
    DEFAULT_REGION: z
      .string()
      .regex(/^[A-Z]{2}$/, "a two-letter region such as GB")
      .default("GB"),
    DEFAULT_TIME_ZONE: z
      .string()
      .refine(isValidTimeZone, "an IANA time zone such as Europe/London")
      .default("Europe/London"),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    /** Requests handled at once per instance; beyond it the service answers 503 rather than queueing without limit. */
    MAX_IN_FLIGHT: z.coerce.number().int().positive().default(512),
    /**
     * Projections and the relay run in one instance at a time, the holder of a lease in KV; this is
     * how long the others wait after the holder stops renewing it (is killed) before one takes
     * over.
     */
    PROJECTIONS_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
    /**
     * Where this instance runs the projections and the relay when it holds the lease: `here` (the
     * thread that answers commands) or `thread` (a worker thread of its own, off the command path;
     * sqlite and eventstoredb: the memory store cannot be shared between threads).
     */
    CONSUMERS: z.enum(["here", "thread"]).default("here"),
    /** Health and metrics (/healthz, /readyz, /metrics); empty = off. */
    OPS_PORT: OpsPort,
    /**
     * The address HTTP_PORT and OPS_PORT listen on: this machine only by default (`npm start`);
     * the image sets 0.0.0.0, where the container's network decides who reaches it.
     */
    BIND_ADDRESS: z
      .string()
      .refine(
        (v) => isIP(v) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v),
        "an IP address of this machine (127.0.0.1, or 0.0.0.0 for every interface) or a host name",
      )
      .default("127.0.0.1"),
    /** /readyz answers 503 while the projections are more than this many events behind the store. */
    READY_MAX_LAG: z.coerce.number().int().min(0).default(10_000),
    /** Retention of the CAMPAIGN_EVENTS stream (the relay's output; the event store keeps everything). */
    EVENTS_MAX_AGE: Duration.default(365 * 86_400),
    EVENTS_MAX_BYTES: z.coerce.number().int().min(-1).default(-1),
    /**
     * Replicas of every JetStream asset the service creates; unset: 3 on a cluster of three or more
     * servers, else 1 (decided when connected). NATS allows at most 5.
     */
    JS_REPLICAS: z.coerce.number().int().min(1).max(5).optional(),
  })
  .refine((c) => c.EVENT_STORE !== "memory" || c.CONSUMERS === "here", {
    path: ["CONSUMERS"],
    message: "the memory store lives in one thread: only CONSUMERS=here",
  })
  .refine((c) => c.EVENT_STORE !== "eventstoredb" || c.EVENTSTORE_CONNECTION_STRING !== undefined, {
    path: ["EVENTSTORE_CONNECTION_STRING"],
    message: "required when EVENT_STORE=eventstoredb",
  })
  .refine((c) => c.HTTP_PORT === undefined || c.API_KEYS.size > 0, {
    path: ["API_KEYS"],
    message:
      "required when HTTP_PORT is set (without a key every REST request is refused with 401)",
  });
export type Config = z.infer<typeof Config>;

const SECRETS = new Set([
  "API_KEYS",
  "EVENTSTORE_CONNECTION_STRING",
  "NATS_PASSWORD",
  "NATS_TOKEN",
]);

/** NATS_URL with any `user:password@` replaced by `***@`: safe to print. */
export const redactNatsUrl = (url: string): string =>
  url.replace(/([a-z]+:\/\/)[^@/,]*@/g, "$1***@");

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Reads the config; a bad value is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  if (env.HTTP_PORT === "") delete present.HTTP_PORT;
  if (env.OPS_PORT === "") present.OPS_PORT = "off";
  const result = Config.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  // Secrets are named, never printed.
  const value =
    variable === "NATS_URL" ? redactNatsUrl(env[variable] ?? "") : (env[variable] ?? "");
  const shown = SECRETS.has(variable) ? "" : `=${JSON.stringify(value)}`;
  throw new ConfigError(`invalid configuration: ${variable}${shown}: ${issue.message}`);
}
