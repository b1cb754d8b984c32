import type { CheckpointStore } from "../ports/checkpoint-store.js";
import type { Position } from "../ports/event-store.js";
import type { ReadModelStore } from "../ports/read-model-store.js";

const toPosition = (saved: string | undefined): Position | undefined =>
  saved === undefined ? undefined : BigInt(saved);

/** Checkpoints kept beside the read models (bucket `campaign-projections`), as decimal strings. */
export function checkpointsIn(readModels: ReadModelStore): CheckpointStore {
  return {
    load: async (key) => toPosition(await readModels.get<string>("checkpoints", key)),
    save: (key, position) => readModels.put("checkpoints", key, position.toString()),
    remove: (key) => readModels.put("checkpoints", key, undefined),
    async *watch(key, signal) {
      for await (const saved of readModels.watch<string>("checkpoints", key, signal))
        yield toPosition(saved);
    },
  };
}
