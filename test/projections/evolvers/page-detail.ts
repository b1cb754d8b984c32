import type { CampaignDetailHead, CampaignDetailPage } from "../../../src/contract/read-models.js";
import {
  DETAIL_PAGE_SIZE,
  type DetailModel,
  detailHead,
  detailPage,
} from "../../../src/projections/evolvers/index.js";

/** The whole model as a head and every page (what a full flush writes), for round-trip tests. */
export const pageDetail = (
  model: DetailModel,
  pageSize: number = DETAIL_PAGE_SIZE,
): { head: CampaignDetailHead; pages: CampaignDetailPage[] } => {
  const head = detailHead(model, pageSize);
  const pages: CampaignDetailPage[] = [];
  for (let page = 0; page < head.phoneNumberPages; page++)
    pages.push(detailPage(model, page, pageSize));
  return { head, pages };
};
