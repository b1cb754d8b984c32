import { domainError, type DomainError, notFound } from "../domain/index.js";
import type { CampaignTimeline, TimelineBucketSize } from "../contract/reporting.js";
import { modelKey, type ReadModelStore } from "../ports/read-model-store.js";
import {
  evolveTimeline,
  type HourBucket,
  monthsBetween,
  settleTimeline,
  type TimelineHead,
  type TimelineModel,
  type TimelineMonthPage,
  timelineHead,
  timelineMonthPage,
  timelineView,
} from "./evolvers/index.js";
import { lift } from "./lift.js";
import type { CampaignProjection } from "./projection.js";

const monthKey = (clientId: string, campaignId: string, month: string) =>
  `${modelKey(clientId, campaignId)}.${month}`;

/**
 * The timeline, bucket `campaign-timelines`: the head (zone, months present)
 * under `<client>.<campaignId>`, a month of hour buckets under
 * `<client>.<campaignId>.<yyyy-MM>`. Only changed months are rewritten.
 */
export const timelineProjection: CampaignProjection<TimelineModel> = {
  name: "timeline",
  evolve: lift(evolveTimeline),
  settled: settleTimeline,
  async write(store, clientId, campaignId, before, after) {
    if (after === before) return;
    if (after === undefined) {
      await Promise.all(
        [...(before?.months.keys() ?? [])].map((month) =>
          store.put("timelines", monthKey(clientId, campaignId, month), undefined),
        ),
      );
    } else {
      await Promise.all(
        [...after.dirtyMonths].map((month) =>
          store.put(
            "timelines",
            monthKey(clientId, campaignId, month),
            timelineMonthPage(after, month),
          ),
        ),
      );
    }
    // The head last: a reader that finds it finds every month it lists.
    await store.put(
      "timelines",
      modelKey(clientId, campaignId),
      after === undefined ? undefined : timelineHead(after),
    );
  },
};

/** Room left in a reply for its wrapper and headers. */
const REPLY_OVERHEAD_BYTES = 4096;

/** `get-campaign-timeline` from the read model; a reply too large for the transport asks for a narrower range. */
export async function readCampaignTimeline(
  store: ReadModelStore,
  clientId: string,
  query: {
    id: string;
    bucket: TimelineBucketSize;
    from?: string | undefined;
    to?: string | undefined;
  },
  maxReplyBytes: number,
): Promise<CampaignTimeline | DomainError> {
  const head = await store.get<TimelineHead>("timelines", modelKey(clientId, query.id));
  if (head === undefined) return notFound("campaign", query.id);
  const months = monthsBetween(head.months, query.from, query.to);
  const pages = await Promise.all(
    months.map(
      async (month) =>
        (await store.get<TimelineMonthPage>("timelines", monthKey(clientId, query.id, month))) ??
        [],
    ),
  );
  const hours: HourBucket[] = pages.flat();
  const timeline = timelineView(head, hours, query.bucket, query.from, query.to);
  if (
    maxReplyBytes !== Infinity &&
    Buffer.byteLength(JSON.stringify(timeline)) + REPLY_OVERHEAD_BYTES > maxReplyBytes
  ) {
    return domainError(
      "rule_violated",
      `the timeline of ${timeline.buckets.length} ${query.bucket} buckets does not fit one reply; ask for a shorter range`,
      [{ field: "from", reason: "give from and to spanning fewer buckets, or bucket: day" }],
    );
  }
  return timeline;
}
