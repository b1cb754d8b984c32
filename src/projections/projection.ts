import type { ReadModelStore } from "../ports/read-model-store.js";

/** A campaign event as the projections see it: the stored event plus where it sits in the log. */
export type ProjectedEvent = {
  readonly type: string;
  readonly data: unknown;
  readonly position: bigint;
  readonly revision: bigint;
  readonly recordedAt: string;
  readonly clientId: string;
  readonly campaignId: string;
};

/**
 * One read model of a campaign: a pure evolver (in ./evolvers) and how the
 * model is written. `undefined` is "no read model" (before creation, after delete).
 */
export interface CampaignProjection<Model> {
  readonly name: string;
  evolve(model: Model | undefined, event: ProjectedEvent): Model | undefined;
  /** Writes `after` over `before` (what the last flush wrote); may write only what changed. */
  write(
    store: ReadModelStore,
    clientId: string,
    campaignId: string,
    before: Model | undefined,
    after: Model | undefined,
  ): Promise<void>;
  /** The model with its change tracking reset, once written (or rebuilt from the stream). */
  settled?(model: Model): Model;
}
