import { pageKey } from "../ports/read-model-store.js";
import {
  type AttemptsModel,
  attemptsPage,
  attemptsPageCount,
  evolveAttempts,
  settleAttempts,
} from "./evolvers/index.js";
import { lift } from "./lift.js";
import { putPage } from "./paged-values.js";
import type { CampaignProjection } from "./projection.js";

/**
 * The attempt log the CSV exports read, bucket `campaign-attempts`, under
 * `<client>.<campaignId>.<page>`: page p holds the attempts of the numbers on
 * page p of `campaign-numbers`. Only changed pages are written.
 */
export const attemptsProjection: CampaignProjection<AttemptsModel> = {
  name: "attempts",
  evolve: lift(evolveAttempts),
  settled: settleAttempts,
  async write(store, clientId, campaignId, before, after) {
    if (after === before) return;
    const pagesAfter = attemptsPageCount(after);
    const writes: Promise<void>[] = [];
    if (after !== undefined)
      for (const page of after.dirtyPages)
        if (page < pagesAfter)
          writes.push(
            putPage(
              store,
              "attempts",
              pageKey(clientId, campaignId, page),
              attemptsPage(after, page),
            ),
          );
    for (let page = pagesAfter; page < attemptsPageCount(before); page++)
      writes.push(store.put("attempts", pageKey(clientId, campaignId, page), undefined));
    await Promise.all(writes);
  },
};
