import {
  headers as natsHeaders,
  Match,
  type MsgHdrs,
  type NatsConnection,
  type Service,
  type ServiceMsg,
} from "nats";
import { answerToFailure, isRetryable } from "../../app/failure.js";
import {
  readRequestHeaders,
  type RequestHeaders,
  unreadableHeaders,
} from "../../contract/request-headers.js";
import type { Logger } from "pino";
import type { CampaignHandlers } from "../../app/handler-types.js";
import { domainError, type DomainError, isDomainError } from "../../domain/index.js";
import { SERVICE_INBOX_PREFIX } from "./local-server.js";
import { currentTraceparent, inChildSpan, inRequestSpan, markAnswer } from "../../app/tracing.js";
import {
  noRequestMetrics,
  type RequestKind,
  type RequestMetrics,
} from "../../ports/request-metrics.js";
import { EndpointStats } from "./endpoint-stats.js";
import { SUBJECT_ROOT, TENANT_TEXT, tenantOf } from "../../contract/subjects.js";
import { decodeJson, encodeJson, errorBody, statusOf } from "../../contract/wire.js";
import { commandNames } from "../../contract/commands.js";

export type NatsEndpointsOptions = {
  maxInFlight: number;
  logger: Logger;
  version: string;
  metrics?: RequestMetrics;
  /** Service metadata in `$SRV.INFO` (the store this instance uses: one store per deployment). */
  metadata?: Record<string, string>;
};

export type NatsEndpoints = {
  service: Service;
  /** Stops taking requests and waits for those in flight to be answered. */
  drain(): Promise<void>;
};

/**
 * Registers `campaigns` with the NATS services framework: one endpoint per
 * command and query, in the framework's queue group so instances share load.
 */
export async function startNatsEndpoints(
  nc: NatsConnection,
  handlers: CampaignHandlers,
  options: NatsEndpointsOptions,
): Promise<NatsEndpoints> {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  const metrics = options.metrics ?? noRequestMetrics;
  const stats = new EndpointStats();
  const service = await nc.services.add({
    name: "campaigns",
    version: options.version,
    description: "Outbound voice campaigns: commands, read models and audit replay",
    ...(options.metadata ? { metadata: options.metadata } : {}),
    statsHandler: async (endpoint) => {
      stats.report(endpoint);
      return { ...(await handlers.stats()), inFlight };
    },
  });

  const refusals = new WeakMap<ServiceMsg, string>();
  /** Answers with an error; returns its code (what metrics, stats and the log line record). */
  const replyError = (msg: ServiceMsg, error: DomainError): string => {
    refusals.set(msg, error.message);
    // A header value cannot hold a line break (a JSON parse error quotes the input): the body keeps
    // the whole message.
    msg.respondError(
      statusOf(error),
      error.message.replace(/[\r\n]+/g, " ").slice(0, 512),
      encodeJson(errorBody(error, maxPayload - 4096)),
    );
    return error.code;
  };

  /**
   * The framework does not await handlers (it times and counts only the
   * synchronous part): every request is answered, counted and timed here,
   * whatever happens, and concurrency is bounded (503 beyond the limit).
   */
  const endpoint =
    (
      endpointName: string,
      kind: RequestKind,
      name: string,
      run: (msg: ServiceMsg, clientId: string) => Promise<string>,
    ) =>
    (err: unknown, msg: ServiceMsg) => {
      if (err) {
        options.logger.error({ err }, "endpoint subscription failed");
        return;
      }
      if (!answerable(msg.reply)) {
        // The service may publish events and JetStream requests: a reply there would be a tenant's
        // forgery by proxy.
        options.logger.warn(
          { subject: msg.subject, reply: msg.reply },
          "request with a reply subject the service never answers on; dropped",
        );
        return;
      }
      const started = performance.now();
      const answered = metrics.started(kind, name, "nats");
      const clientId = tenantOf(msg.subject);
      const finish = (code: string) => {
        const ms = performance.now() - started;
        const message = refusals.get(msg);
        stats.record(endpointName, ms, code === "ok" ? undefined : `${code}: ${message ?? ""}`);
        answered(code);
        const entry = {
          transport: "nats",
          kind,
          name,
          clientId,
          code,
          ms: Math.round(ms * 10) / 10,
          commandId: headerOrNothing(msg, "Command-Id"),
        };
        if (code === "ok") options.logger.debug(entry, "request accepted");
        else options.logger.info({ ...entry, message }, "request refused");
      };
      if (clientId === undefined) {
        finish(
          replyError(
            msg,
            domainError("invalid_request", "the subject has no valid tenant", [
              {
                field: "subject",
                reason: `expected ${SUBJECT_ROOT}.<client>.<cmd|query>.<name> with client ${TENANT_TEXT}`,
              },
            ]),
          ),
        );
        return;
      }
      if (inFlight >= options.maxInFlight) {
        finish(
          replyError(
            msg,
            domainError("unavailable", "the service is overloaded; retry shortly", [
              { reason: `more than ${options.maxInFlight} requests in flight` },
            ]),
          ),
        );
        return;
      }
      inFlight++;
      const traceparent = headerOrNothing(msg, "traceparent");
      void inRequestSpan(
        `${kind} ${name}`,
        traceparent,
        {
          "messaging.system": "nats",
          "messaging.destination.name": msg.subject,
          "campaigns.client": clientId,
        },
        (span) =>
          run(msg, clientId)
            .catch((error: unknown) => {
              const answer = answerToFailure(error);
              options.logger[isRetryable(answer) ? "error" : "warn"](
                { err: error, subject: msg.subject },
                "request failed",
              );
              return replyError(msg, answer);
            })
            .then((code) => {
              markAnswer(span, code);
              finish(code); // inside the span: the log line carries its trace_id
            }),
      ).finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
    };

  /** Answers with the reply; returns "ok", or the error code when the reply cannot fit. */
  const respond = (msg: ServiceMsg, body: unknown, position?: bigint): Promise<string> =>
    inChildSpan("reply", () => {
      const h = natsHeaders();
      if (position !== undefined) h.set("Log-Position", position.toString());
      const data = encodeJson(body);
      // Never a reply of another shape: a reply that cannot fit is an error that says so.
      if (data.length > maxPayload) {
        return replyError(
          msg,
          domainError(
            "rule_violated",
            `the reply (${data.length} bytes) exceeds the server's max payload (${maxPayload} bytes)`,
            [{ reason: "ask for less at once (pages of numbers, a smaller history limit)" }],
          ),
        );
      }
      msg.respond(data, { headers: h });
      return "ok";
    });

  for (const name of commandNames) {
    service.addEndpoint(`cmd-${name}`, {
      subject: `${SUBJECT_ROOT}.*.cmd.${name}`,
      metadata: { kind: "command", name },
      handler: endpoint(`cmd-${name}`, "command", name, async (msg, clientId) => {
        const body = decodeJson(msg.data);
        if (!body.ok)
          return replyError(
            msg,
            domainError("invalid_request", body.reason, [{ field: "(body)", reason: body.reason }]),
          );
        const requestHeaders = readHeaders(msg);
        if (isDomainError(requestHeaders)) return replyError(msg, requestHeaders);
        // The command's span (a child of the caller's traceparent when the SDK is on) goes into the
        // events' metadata.
        const traceparent = currentTraceparent() ?? requestHeaders.traceparent;
        const outcome = await handlers.command({
          name,
          clientId,
          body: body.value,
          ...requestHeaders,
          ...(traceparent === undefined ? {} : { traceparent }),
        });
        if (!outcome.ok) return replyError(msg, outcome.error);
        return respond(msg, outcome.reply, outcome.position);
      }),
    });
  }
  for (const name of handlers.queryNames) {
    service.addEndpoint(`query-${name}`, {
      subject: `${SUBJECT_ROOT}.*.query.${name}`,
      metadata: { kind: "query", name },
      handler: endpoint(`query-${name}`, "query", name, async (msg, clientId) => {
        const body = decodeJson(msg.data, {});
        if (!body.ok)
          return replyError(
            msg,
            domainError("invalid_request", body.reason, [{ field: "(body)", reason: body.reason }]),
          );
        const outcome = await handlers.query({
          name,
          clientId,
          body: body.value,
          maxReplyBytes: maxPayload - 4096,
        });
        if (!outcome.ok) return replyError(msg, outcome.error);
        return respond(msg, outcome.reply);
      }),
    });
  }

  // `campaigns.cmd.<name>` has no tenant token: answer it rather than leave the caller to time out.
  for (const kind of ["cmd", "query"]) {
    service.addEndpoint(`no-tenant-${kind}`, {
      subject: `${SUBJECT_ROOT}.${kind}.*`,
      metadata: { kind: "error" },
      handler: endpoint(
        `no-tenant-${kind}`,
        kind === "cmd" ? "command" : "query",
        "(no tenant)",
        async () => "ok",
      ),
    });
  }

  // The subscriptions exist on the server before anyone is told the service is up.
  await nc.flush();

  return {
    service,
    drain: async () => {
      await service.stop();
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
    },
  };
}

/**
 * A request's reply subject must be an inbox, not a subject the service's own
 * user may publish on for other reasons: the event stream (`campaigns.>`), the
 * JetStream, KV and services APIs (`$...`), or the service's own inboxes.
 */
const answerable = (reply: string | undefined): reply is string =>
  reply !== undefined &&
  reply !== "" &&
  !reply.startsWith(`${SUBJECT_ROOT}.`) &&
  !reply.startsWith("$") &&
  !reply.startsWith(`${SERVICE_INBOX_PREFIX}.`);

/** A header for logs and tracing only: a header block nats.js cannot parse is answered 400 by readHeaders, never thrown here. */
const headerOrNothing = (msg: ServiceMsg, name: string): string | undefined => {
  try {
    return msg.headers?.get(name) || undefined;
  } catch {
    return undefined;
  }
};

/** Command-Id, Correlation-Id and traceparent in any letter case; a 400 for an invalid value or a header block nats.js cannot parse. */
const readHeaders = (msg: ServiceMsg): RequestHeaders | DomainError => {
  let h: MsgHdrs | undefined;
  try {
    h = msg.headers;
  } catch {
    return unreadableHeaders();
  }
  return readRequestHeaders((name) => h?.get(name, Match.IgnoreCase));
};
