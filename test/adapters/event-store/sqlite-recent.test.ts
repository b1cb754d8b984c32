import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../../src/adapters/event-store/sqlite.js";
import { collect, newEvent, take } from "./contract.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-sqlite-recent-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Changes what the file holds behind the store's back, so a test can tell where a subscription's events came from. */
const overwriteData = (file: string, data: unknown): void => {
  const db = new Database(file);
  db.prepare("UPDATE events SET data = ?").run(JSON.stringify(data));
  db.close();
};

describe("sqlite event store: live subscriptions fed the appended events", () => {
  it("hands a subscription the events as appended, without reading back the file's copy", async () => {
    const file = join(dir, "own.sqlite");
    const store = new SqliteEventStore(file);
    try {
      await store.append(
        "campaign-1",
        [newEvent("A", { n: 1 }), newEvent("B", { n: 2 })],
        "no_stream",
      );
      overwriteData(file, { n: "the file's copy" });
      const subscription = store.subscribe();
      expect((await take(subscription, 2)).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      await subscription.close();
      expect((await collect(store.read("campaign-1"))).map((e) => e.data)).toEqual([
        { n: "the file's copy" },
        { n: "the file's copy" },
      ]);
    } finally {
      await store.close();
    }
  });

  it("hands them to another store on the file in this process too (the projections' thread), as the JSON written", async () => {
    const file = join(dir, "shared.sqlite");
    const writer = new SqliteEventStore(file);
    const reader = new SqliteEventStore(file);
    const notices = new BroadcastChannel(`campaign-service:sqlite-commits:${resolve(file)}`);
    try {
      const noticed = new Promise((done) => (notices.onmessage = done));
      const { position } = await writer.append(
        "campaign-1",
        [newEvent("A", { n: 1 })],
        "no_stream",
      );
      await noticed;
      await new Promise((done) => setTimeout(done, 20)); // the reader's copy of the same notice
      overwriteData(file, { n: "the file's copy" });
      const subscription = reader.subscribe();
      const [event] = await take(subscription, 1);
      expect(event).toEqual(
        expect.objectContaining({
          type: "A",
          data: { n: 1 },
          position,
          revision: 0n,
          streamId: "campaign-1",
        }),
      );
      await subscription.close();
    } finally {
      notices.close();
      await writer.close();
      await reader.close();
    }
  });

  it("reads from the file what another process wrote between two of its own appends, keeping log order", async () => {
    const file = join(dir, "gap.sqlite");
    const store = new SqliteEventStore(file);
    try {
      await store.append("campaign-1", [newEvent("A")], "no_stream");
      const other = new Database(file);
      other
        .prepare(
          "INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES ('campaign-2', 0, 'other-process', 'B', '{}', '{}', 0)",
        )
        .run();
      other.prepare("INSERT INTO streams (stream_id, revision) VALUES ('campaign-2', 0)").run();
      other.close();
      await store.append("campaign-1", [newEvent("C")], 0n);
      const subscription = store.subscribe();
      expect((await take(subscription, 3)).map((e) => [e.type, e.position])).toEqual([
        ["A", 1n],
        ["B", 2n],
        ["C", 3n],
      ]);
      await subscription.close();
    } finally {
      await store.close();
    }
  });
});

describe("sqlite event store that only reads (the consumers thread's)", () => {
  it("follows another store's appends on the file and refuses its own, writing nothing", async () => {
    const file = join(dir, "reader.sqlite");
    const writer = new SqliteEventStore(file);
    const reader = new SqliteEventStore(file, undefined, { appends: false });
    const subscription = reader.subscribe();
    try {
      await writer.append("campaign-1", [newEvent("A")], "no_stream");
      expect((await take(subscription, 1)).map((e) => e.type)).toEqual(["A"]);
      await expect(reader.append("campaign-1", [newEvent("B")], 0n)).rejects.toThrow(/only reads/);
      expect((await collect(writer.read("campaign-1"))).map((e) => e.type)).toEqual(["A"]);
    } finally {
      await subscription.close();
      await reader.close();
      await writer.close();
    }
  });
});
