import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { EventStoreDbEventStore } from "../adapters/event-store/eventstoredb.js";
import { MemoryEventStore } from "../adapters/event-store/memory.js";
import type { EventStore } from "../ports/event-store.js";
import { SqliteEventStore } from "../adapters/event-store/sqlite.js";

export type EventStoreConfig = {
  kind: "memory" | "sqlite" | "eventstoredb";
  dataDir: string;
  connectionString?: string | undefined;
  /** Told when an EventStoreDB subscription drops (it resubscribes by itself). */
  logger?: Logger;
  /** False for a store that only reads and subscribes (the consumers thread's): SQLite then starts no writer thread. */
  appends?: boolean;
};

/** The adapter the configuration names (EVENT_STORE). */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case "memory":
      return new MemoryEventStore();
    case "sqlite":
      mkdirSync(config.dataDir, { recursive: true });
      return new SqliteEventStore(join(config.dataDir, "events.sqlite"), undefined, {
        appends: config.appends ?? true,
      });
    case "eventstoredb":
      if (!config.connectionString)
        throw new Error("EVENTSTORE_CONNECTION_STRING is required for EVENT_STORE=eventstoredb");
      return new EventStoreDbEventStore(config.connectionString, {
        onSubscriptionDropped: ({ error, attempt, delayMs, resumeFrom }) =>
          config.logger?.warn(
            { err: error, attempt, delayMs, resumeFrom: resumeFrom.toString() },
            "event store subscription dropped; resubscribing",
          ),
      });
  }
}
