import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EventStoreDbEventStore } from "./eventstoredb.js";
import { MemoryEventStore } from "./memory.js";
import type { EventStore } from "./port.js";
import { SqliteEventStore } from "./sqlite.js";

export type EventStoreConfig = { kind: "memory" | "sqlite" | "eventstoredb"; dataDir: string; connectionString?: string | undefined };

/** The adapter the configuration names (EVENT_STORE). */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case "memory":
      return new MemoryEventStore();
    case "sqlite":
      mkdirSync(config.dataDir, { recursive: true });
      return new SqliteEventStore(join(config.dataDir, "events.sqlite"));
    case "eventstoredb":
      if (!config.connectionString) throw new Error("EVENTSTORE_CONNECTION_STRING is required for EVENT_STORE=eventstoredb");
      return new EventStoreDbEventStore(config.connectionString);
  }
}
