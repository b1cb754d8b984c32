import type { RecordedEvent } from "../ports/event-store.js";
import type {
  CampaignDetail,
  CampaignDetailHead,
  CampaignDetailPage,
  CampaignSummary,
} from "../contract/read-models.js";
import { upcastCampaignStream } from "../domain/index.js";
import {
  assembleDetail,
  type DetailModel,
  detailBody,
  detailHead,
  detailPage,
  evolveDetail,
  evolveStatistics,
  evolveSummary,
  settleDetail,
  type StatisticsModel,
  statisticsView,
} from "./evolvers/index.js";
import { lift } from "./lift.js";
import { putPage, readPage } from "./paged-values.js";
import { attemptsProjection } from "./attempts-projection.js";
import type { CampaignProjection } from "./projection.js";
import { timelineProjection } from "./timeline-projection.js";
import { modelKey, pageKey, type ReadModelStore } from "../ports/read-model-store.js";

/** The GET list item, bucket `campaign-summaries`. */
export const summaryProjection: CampaignProjection<CampaignSummary> = {
  name: "summary",
  evolve: lift(evolveSummary),
  async write(store, clientId, campaignId, before, after) {
    if (after !== before) await store.put("summaries", modelKey(clientId, campaignId), after);
  },
};

const pagesOf = (model: DetailModel | undefined): number =>
  model === undefined ? 0 : Math.ceil(model.numbers.size / model.pageSize);

/**
 * The GET single body, paged so no KV value nears the max payload: the head
 * (settings, counts) in `campaign-details`, 1,000 numbers a value in
 * `campaign-numbers` under `<client>.<campaignId>.<page>`. Only changed pages are written.
 */
export const detailProjection: CampaignProjection<DetailModel> = {
  name: "detail",
  evolve: lift(evolveDetail),
  settled: settleDetail,
  async write(store, clientId, campaignId, before, after) {
    if (after === before) return;
    const writes: Promise<void>[] = [];
    const pagesBefore = pagesOf(before);
    const pagesAfter = pagesOf(after);
    if (after !== undefined)
      for (const page of after.dirtyPages)
        if (page < pagesAfter)
          writes.push(
            putPage(store, "numbers", pageKey(clientId, campaignId, page), detailPage(after, page)),
          );
    for (let page = pagesAfter; page < pagesBefore; page++)
      writes.push(store.put("numbers", pageKey(clientId, campaignId, page), undefined));
    await Promise.all(writes);
    // The head last: a reader that finds it finds every page it counts.
    await store.put(
      "details",
      modelKey(clientId, campaignId),
      after === undefined ? undefined : detailHead(after),
    );
  },
};

/** Outcome statistics, bucket `campaign-statistics`. */
export const statisticsProjection: CampaignProjection<StatisticsModel> = {
  name: "statistics",
  evolve: lift(evolveStatistics),
  async write(store, clientId, campaignId, before, after) {
    if (after !== before)
      await store.put(
        "statistics",
        modelKey(clientId, campaignId),
        after === undefined ? undefined : statisticsView(after),
      );
  },
};

export const campaignProjections = [
  summaryProjection,
  detailProjection,
  statisticsProjection,
  timelineProjection,
  attemptsProjection,
] as readonly CampaignProjection<unknown>[];

/** The GET single body from the read models (or one page of its numbers), or undefined when there is none. */
export async function readCampaignDetail(
  store: ReadModelStore,
  clientId: string,
  campaignId: string,
  onlyPage?: number,
): Promise<CampaignDetail | undefined> {
  const head = await store.get<CampaignDetailHead>("details", modelKey(clientId, campaignId));
  if (head === undefined) return undefined;
  const wanted =
    onlyPage === undefined
      ? Array.from({ length: head.phoneNumberPages }, (_, page) => page)
      : [onlyPage];
  const pages = await Promise.all(
    wanted.map((page) =>
      page < head.phoneNumberPages
        ? readPage<CampaignDetailPage[number]>(
            store,
            "numbers",
            pageKey(clientId, campaignId, page),
          )
        : [],
    ),
  );
  return assembleDetail(head, pages);
}

/** The GET single body as of the end of `events` (a prefix of the campaign's stream): audit replay. */
export function campaignDetailAt(
  clientId: string,
  campaignId: string,
  events: readonly RecordedEvent[],
): CampaignDetail | undefined {
  let model: DetailModel | undefined;
  for (const event of upcastCampaignStream(events)) {
    model = detailProjection.evolve(model, {
      type: event.type,
      data: event.data,
      position: event.position,
      revision: event.revision,
      recordedAt: event.recordedAt.toISOString(),
      clientId,
      campaignId,
    });
  }
  return model === undefined ? undefined : detailBody(model);
}
