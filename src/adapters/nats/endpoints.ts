import { headers as natsHeaders, Match, type MsgHdrs, type NatsConnection, type Service, type ServiceMsg } from "nats";
import { answerToFailure, isRetryable } from "../../app/failure.js";
import { readRequestHeaders, type RequestHeaders, unreadableHeaders } from "../../contract/request-headers.js";
import type { Logger } from "pino";
import type { CampaignHandlers } from "../../app/handlers.js";
import { domainError, type DomainError, isDomainError } from "../../domain/index.js";
import { SERVICE_INBOX_PREFIX } from "./local-server.js";
import { SUBJECT_ROOT, TENANT_TEXT, tenantOf } from "../../contract/subjects.js";
import { decodeJson, encodeJson, errorBody, statusOf } from "../../contract/wire.js";
import { commandNames } from "../../contract/commands.js";

export type NatsEndpointsOptions = { maxInFlight: number; logger: Logger; version: string };

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
  const service = await nc.services.add({
    name: "campaigns",
    version: options.version,
    description: "Outbound voice campaigns: commands, read models and audit replay",
    statsHandler: async () => ({ ...(await handlers.stats()), inFlight }),
  });

  const replyError = (msg: ServiceMsg, error: DomainError): void => {
    // A header value cannot hold a line break (a JSON parse error quotes the input): the body keeps the whole message.
    msg.respondError(statusOf(error), error.message.replace(/[\r\n]+/g, " ").slice(0, 512), encodeJson(errorBody(error, maxPayload - 4096)));
  };

  /**
   * The framework does not await handlers: every request is answered here,
   * whatever happens, and concurrency is bounded (503 beyond the limit).
   */
  const endpoint = (run: (msg: ServiceMsg, clientId: string) => Promise<void>) => (err: unknown, msg: ServiceMsg) => {
    if (err) {
      options.logger.error({ err }, "endpoint subscription failed");
      return;
    }
    if (!answerable(msg.reply)) {
      // The service may publish events and JetStream requests: a reply there would be a tenant's forgery by proxy.
      options.logger.warn({ subject: msg.subject, reply: msg.reply }, "request with a reply subject the service never answers on; dropped");
      return;
    }
    const clientId = tenantOf(msg.subject);
    if (clientId === undefined) {
      replyError(msg, domainError("invalid_request", "the subject has no valid tenant", [{ field: "subject", reason: `expected ${SUBJECT_ROOT}.<client>.<cmd|query>.<name> with client ${TENANT_TEXT}` }]));
      return;
    }
    if (inFlight >= options.maxInFlight) {
      replyError(msg, domainError("unavailable", "the service is overloaded; retry shortly", [{ reason: `more than ${options.maxInFlight} requests in flight` }]));
      return;
    }
    inFlight++;
    run(msg, clientId)
      .catch((error: unknown) => {
        const answer = answerToFailure(error);
        options.logger[isRetryable(answer) ? "error" : "warn"]({ err: error, subject: msg.subject }, "request failed");
        replyError(msg, answer);
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
  };

  const respond = (msg: ServiceMsg, body: unknown, position?: bigint): void => {
    const h = natsHeaders();
    if (position !== undefined) h.set("Log-Position", position.toString());
    const data = encodeJson(body);
    // Never a reply of another shape: a reply that cannot fit is an error that says so.
    if (data.length > maxPayload) {
      replyError(msg, domainError("rule_violated", `the reply (${data.length} bytes) exceeds the server's max payload (${maxPayload} bytes)`, [{ reason: "ask for less at once (pages of numbers, a smaller history limit)" }]));
      return;
    }
    msg.respond(data, { headers: h });
  };

  for (const name of commandNames) {
    service.addEndpoint(`cmd-${name}`, {
      subject: `${SUBJECT_ROOT}.*.cmd.${name}`,
      metadata: { kind: "command", name },
      handler: endpoint(async (msg, clientId) => {
        const body = decodeJson(msg.data);
        if (!body.ok) return replyError(msg, domainError("invalid_request", body.reason, [{ field: "(body)", reason: body.reason }]));
        const requestHeaders = readHeaders(msg);
        if (isDomainError(requestHeaders)) return replyError(msg, requestHeaders);
        const outcome = await handlers.command({ name, clientId, body: body.value, ...requestHeaders });
        if (!outcome.ok) return replyError(msg, outcome.error);
        respond(msg, outcome.reply, outcome.position);
      }),
    });
  }
  for (const name of handlers.queryNames) {
    service.addEndpoint(`query-${name}`, {
      subject: `${SUBJECT_ROOT}.*.query.${name}`,
      metadata: { kind: "query", name },
      handler: endpoint(async (msg, clientId) => {
        const body = decodeJson(msg.data, {});
        if (!body.ok) return replyError(msg, domainError("invalid_request", body.reason, [{ field: "(body)", reason: body.reason }]));
        const outcome = await handlers.query({ name, clientId, body: body.value, maxReplyBytes: maxPayload - 4096 });
        if (!outcome.ok) return replyError(msg, outcome.error);
        respond(msg, outcome.reply);
      }),
    });
  }

  // `campaigns.cmd.<name>` has no tenant token: answer it rather than leave the caller to time out.
  for (const kind of ["cmd", "query"]) {
    service.addEndpoint(`no-tenant-${kind}`, {
      subject: `${SUBJECT_ROOT}.${kind}.*`,
      metadata: { kind: "error" },
      handler: endpoint(async () => undefined),
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
  reply !== undefined && reply !== "" && !reply.startsWith(`${SUBJECT_ROOT}.`) && !reply.startsWith("$") && !reply.startsWith(`${SERVICE_INBOX_PREFIX}.`);

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
