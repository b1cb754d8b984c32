import { match } from "ts-pattern";
import type { z } from "zod";
import type { EventStore, RecordedEvent } from "../ports/event-store.js";
import {
  type DialQueueCounts,
  type ExclusionList,
  campaignStreamId,
  domainError,
  type DomainError,
  exclusionPage,
  isDomainError,
  normalisePhoneNumber,
  notFound,
  parseWith,
} from "../domain/index.js";
import { campaignDetailAt, readCampaignDetail } from "../projections/campaign-projections.js";
import { isQueryName, queries, type QueryName } from "../contract/queries.js";
import { bigintReplacer } from "../contract/wire.js";
import { modelKey, type ReadModelStore } from "../ports/read-model-store.js";
import type { ProjectionProgress } from "../projections/progress.js";
import { readCampaignTimeline } from "../projections/timeline-projection.js";
import { readExportPage } from "../projections/export-pages.js";
import type { QueryOutcome, QueryRequest } from "./handler-types.js";

const MIN_POSITION_WAIT_MS = 5000;

/**
 * What the dial queue's queries read: the command side's decided state (claims
 * and "due now" must be exact at the moment of asking, not as a projection
 * last saw them). The CommandHandler provides it.
 */
export type DiallingState = {
  dialQueue(clientId: string, id: string): Promise<DialQueueCounts | DomainError>;
  exclusionList(
    clientId: string,
    campaignId: string | undefined,
  ): Promise<ExclusionList | DomainError>;
};

/** Queries: read models for the GET bodies and statistics, the event store for audit replay, the decided state for the dial queue. */
export class QueryHandler {
  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: ProjectionProgress,
    private readonly dialling?: DiallingState,
    private readonly defaultRegion = "GB",
  ) {}

  async handle(envelope: QueryRequest): Promise<QueryOutcome> {
    if (!isQueryName(envelope.name))
      return refused(
        domainError("invalid_request", `unknown query ${envelope.name}`, [
          { field: "subject", reason: "not a query" },
        ]),
      );
    const body = parseWith(queries[envelope.name], envelope.body);
    if (isDomainError(body)) return refused(body);
    if (
      body.minPosition !== undefined &&
      !(await this.projections.waitFor(body.minPosition, MIN_POSITION_WAIT_MS))
    ) {
      return refused(
        domainError(
          "unavailable",
          "the read models have not reached minPosition yet; retry shortly",
          [{ field: "minPosition", reason: `projections are at ${this.projections.checkpoint}` }],
        ),
      );
    }
    const reply = await this.answer(
      envelope.name,
      envelope.clientId,
      body,
      envelope.maxReplyBytes ?? Infinity,
    );
    return isDomainError(reply) ? refused(reply) : { ok: true, reply };
  }

  private answer(
    name: QueryName,
    clientId: string,
    body: z.output<(typeof queries)[QueryName]>,
    maxReplyBytes: number,
  ): Promise<unknown> {
    return match({ name, body } as QueryCase)
      .with({ name: "list-campaigns" }, () => this.list(clientId))
      .with({ name: "get-campaign" }, async ({ body }) => {
        const detail = await readCampaignDetail(
          this.readModels,
          clientId,
          body.id,
          body.phoneNumbersPage,
        );
        if (!detail) return notFound("campaign", body.id);
        return body.phoneNumbersPage === undefined
          ? fitReply(detail, maxReplyBytes)
          : pageOf(detail, body.phoneNumbersPage);
      })
      .with(
        { name: "get-campaign-statistics" },
        async ({ body }) =>
          (await this.readModels.get("statistics", modelKey(clientId, body.id))) ??
          notFound("campaign", body.id),
      )
      .with({ name: "get-campaign-history" }, ({ body }) =>
        this.history(clientId, body.id, body.fromRevision, body.limit, maxReplyBytes),
      )
      .with({ name: "get-campaign-state-at" }, async ({ body }) => {
        const detail = await this.stateAt(clientId, body.id, body.at, body.revision);
        if (isDomainError(detail)) return detail;
        return body.phoneNumbersPage === undefined
          ? fitReply(detail, maxReplyBytes)
          : pageOf(sliceNumbers(detail, body.phoneNumbersPage), body.phoneNumbersPage);
      })
      .with({ name: "get-campaign-timeline" }, ({ body }) =>
        readCampaignTimeline(this.readModels, clientId, body, maxReplyBytes),
      )
      .with({ name: "get-campaign-export" }, ({ body }) =>
        readExportPage(this.readModels, clientId, body, maxReplyBytes),
      )
      .with({ name: "get-dial-queue" }, ({ body }) =>
        this.diallingState().dialQueue(clientId, body.id),
      )
      .with({ name: "list-exclusions" }, async ({ body }) => {
        const list = await this.diallingState().exclusionList(clientId, body.campaignId);
        if (isDomainError(list)) return list;
        const after =
          body.after === undefined
            ? undefined
            : normalisePhoneNumber(body.after, this.defaultRegion, "possible");
        return exclusionPage(list, after?.ok ? after.e164 : body.after, body.limit);
      })
      .exhaustive();
  }

  private diallingState(): DiallingState {
    if (!this.dialling)
      throw new Error(
        "the dial queue's queries need the command side's state (QueryHandler's `dialling`)",
      );
    return this.dialling;
  }

  private async list(clientId: string): Promise<unknown[]> {
    const keys = await this.readModels.keys("summaries", `${clientId}.`);
    const summaries = await Promise.all(keys.map((key) => this.readModels.get("summaries", key)));
    return summaries.filter((s) => s !== undefined);
  }

  /**
   * The audit timeline, a page at a time: at most `limit` events, and fewer
   * when they would not fit one reply (an add of 10,000 numbers is one large
   * event), with `nextRevision` where the next page starts. Deleted campaigns
   * keep their history; other clients' do not exist.
   */
  private async history(
    clientId: string,
    id: string,
    fromRevision: number,
    limit: number,
    maxReplyBytes: number,
  ) {
    const streamId = campaignStreamId(id);
    if (!(await this.owns(streamId, clientId))) return notFound("campaign", id);
    const page: ReturnType<typeof historyEntry>[] = [];
    let bytes = REPLY_OVERHEAD_BYTES;
    let nextRevision: bigint | null = null;
    for await (const event of this.store.read(streamId, {
      from: BigInt(fromRevision),
      limit: limit + 1,
    })) {
      const entry = historyEntry(event);
      bytes += Buffer.byteLength(JSON.stringify(entry, bigintReplacer));
      if (page.length === limit || (page.length > 0 && bytes > maxReplyBytes)) {
        nextRevision = event.revision;
        break;
      }
      page.push(entry);
    }
    return { events: page, nextRevision };
  }

  /** The GET body as it stood at a time or revision: the detail projection folded over the stream's prefix. */
  private async stateAt(
    clientId: string,
    id: string,
    at: string | undefined,
    revision: number | undefined,
  ) {
    const streamId = campaignStreamId(id);
    if (!(await this.owns(streamId, clientId))) return notFound("campaign", id);
    const until = at === undefined ? undefined : Date.parse(at);
    const prefix: RecordedEvent[] = [];
    for await (const event of this.store.read(streamId)) {
      if (revision !== undefined && event.revision > BigInt(revision)) break;
      if (until !== undefined && event.recordedAt.getTime() > until) break;
      prefix.push(event);
    }
    const detail = campaignDetailAt(clientId, id, prefix);
    return (
      detail ??
      domainError("not_found", `campaign ${id} did not exist then`, [
        {
          field: at === undefined ? "revision" : "at",
          reason: "before its creation or after its deletion",
        },
      ])
    );
  }

  private async owns(streamId: string, clientId: string): Promise<boolean> {
    for await (const first of this.store.read(streamId, { from: 0n, limit: 1 }))
      return (
        first.metadata.clientId === clientId ||
        (first.data as { clientId?: unknown }).clientId === clientId
      );
    return false;
  }
}

const historyEntry = (e: RecordedEvent) => ({
  revision: e.revision,
  // A string of digits, as in every read model: one type for `position` on the wire.
  position: e.position.toString(),
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  recordedAt: e.recordedAt.toISOString(),
});
/** Room left in a reply for its wrapper and headers. */
const REPLY_OVERHEAD_BYTES = 4096;

type Detail = { phoneNumbers: unknown[]; phoneNumberCount: number };
const PAGE = 1000;

/** The body with one page of numbers, and what a caller needs to fetch the others. */
const pageOf = <D extends Detail>(detail: D, page: number) => ({
  ...detail,
  phoneNumbersPage: page,
  phoneNumberPages: Math.ceil(detail.phoneNumberCount / PAGE),
});
const sliceNumbers = <D extends Detail>(detail: D, page: number): D => ({
  ...detail,
  phoneNumbers: detail.phoneNumbers.slice(page * PAGE, (page + 1) * PAGE),
});

/** The whole body when it fits the transport; otherwise its first page, marked so the caller pages on. */
const fitReply = <D extends Detail>(detail: D, maxReplyBytes: number) =>
  maxReplyBytes === Infinity || Buffer.byteLength(JSON.stringify(detail)) <= maxReplyBytes
    ? detail
    : pageOf(sliceNumbers(detail, 0), 0);

type QueryCase = { [N in QueryName]: { name: N; body: z.output<(typeof queries)[N]> } }[QueryName];
const refused = (error: DomainError): QueryOutcome => ({ ok: false, error });
