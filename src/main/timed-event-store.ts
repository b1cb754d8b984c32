import type { EventStore } from "../ports/event-store.js";

/** The store with each append timed (campaigns_event_store_append_duration_seconds); everything else passes through. */
export function timedEventStore(store: EventStore, timer: () => () => void): EventStore {
  return {
    checksLastEventId: store.checksLastEventId,
    async append(streamId, events, expected, condition) {
      const done = timer();
      try {
        return await store.append(streamId, events, expected, condition);
      } finally {
        done();
      }
    },
    read: (streamId, options) => store.read(streamId, options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    identity: () => store.identity(),
    close: () => store.close(),
  };
}
