import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openEventStore } from "../../../src/main/open-event-store.js";
import { ConcurrencyError } from "../../../src/ports/event-store.js";
import { SqliteEventStore } from "../../../src/adapters/event-store/sqlite.js";
import { collect, describeEventStoreContract, newEvent, take } from "./contract.js";
import { describeReservationContract } from "./reservation-contract.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventStoreContract(
  "sqlite",
  async () => new SqliteEventStore(join(dir, "contract.sqlite")),
);

describeReservationContract(
  "sqlite",
  async () => new SqliteEventStore(join(dir, "reservations.sqlite")),
  { ahead: false },
);

describe("sqlite event store", () => {
  it("keeps what it acknowledged across close and reopen", async () => {
    const file = join(dir, "reopen.sqlite");
    const first = new SqliteEventStore(file);
    await first.append("s-1", [newEvent("A", { n: 1 }), newEvent("B", { n: 2 })], "no_stream");
    await first.close();
    const second = new SqliteEventStore(file);
    expect((await collect(second.read("s-1"))).map((e) => [e.type, e.revision, e.data])).toEqual([
      ["A", 0n, { n: 1 }],
      ["B", 1n, { n: 2 }],
    ]);
    expect((await second.append("s-1", [newEvent("C")], 1n)).nextRevision).toBe(2n);
    await second.close();
  });

  it("lets a second store on the same file follow the first's appends", async () => {
    const file = join(dir, "shared.sqlite");
    const writer = new SqliteEventStore(file);
    const reader = new SqliteEventStore(file);
    const subscription = reader.subscribe({ streamPrefixes: ["shared-"] });
    try {
      await writer.append("shared-1", [newEvent("A")], "no_stream");
      expect((await take(subscription, 1)).map((e) => e.type)).toEqual(["A"]);
    } finally {
      await subscription.close();
      await writer.close();
      await reader.close();
    }
  });

  it("writes concurrent appends to different streams in one group and each gets its own result", async () => {
    const store = new SqliteEventStore(join(dir, "group.sqlite"));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.append(`g-${i}`, [newEvent("A"), newEvent("B")], "no_stream"),
      ),
    );
    expect(results.every((r) => r.nextRevision === 1n)).toBe(true);
    expect(new Set(results.map((r) => r.position)).size).toBe(50);
    await store.close();
  });

  it("fails only the append whose expected revision does not hold when several share one transaction", async () => {
    const store = new SqliteEventStore(join(dir, "group-fail.sqlite"));
    await store.append("gf-b", [newEvent("B0")], "no_stream");
    const [a, b, c, a2] = await Promise.allSettled([
      store.append("gf-a", [newEvent("A0")], "no_stream"),
      store.append("gf-b", [newEvent("B1"), newEvent("B2")], 5n),
      store.append("gf-c", [newEvent("C0")], "no_stream"),
      store.append("gf-a", [newEvent("A1")], 0n), // sees the first append of the same group
    ]);
    expect([a.status, b.status, c.status, a2.status]).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect((await collect(store.read("gf-b"))).map((e) => e.type)).toEqual(["B0"]);
    expect((await collect(store.read("gf-a"))).map((e) => e.type)).toEqual(["A0", "A1"]);
    await store.close();
  });

  it("checks expected revisions across two stores on the same file", async () => {
    const file = join(dir, "two-writers.sqlite");
    const one = new SqliteEventStore(file);
    const two = new SqliteEventStore(file);
    try {
      await one.append("tw-1", [newEvent("A")], "no_stream");
      const results = await Promise.allSettled([
        one.append("tw-1", [newEvent("B")], 0n),
        two.append("tw-1", [newEvent("C")], 0n),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(
        (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason,
      ).toBeInstanceOf(ConcurrencyError);
      expect(await collect(two.read("tw-1"))).toHaveLength(2);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("drops the event id index from a file created with it, keeping the events", async () => {
    const file = join(dir, "with-event-id-index.sqlite");
    const first = new SqliteEventStore(file);
    await first.append("old-1", [newEvent("A")], "no_stream");
    await first.close();
    // The index as earlier versions of the schema created it.
    const old = new Database(file);
    old.exec("CREATE UNIQUE INDEX events_event_id ON events (event_id)");
    old.close();
    const indexes = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name",
          )
          .pluck()
          .all();
      } finally {
        db.close();
      }
    };
    expect(indexes()).toContain("events_event_id");
    const store = new SqliteEventStore(file);
    try {
      expect(indexes()).toEqual(["sqlite_autoindex_events_1"]);
      expect(await store.append("old-1", [newEvent("B")], 0n)).toMatchObject({ nextRevision: 1n });
      expect((await collect(store.read("old-1"))).map((e) => e.type)).toEqual(["A", "B"]);
    } finally {
      await store.close();
    }
  });

  it("keeps a file's Command-Ids from before no-ops took theirs, and takes no-ops' on it", async () => {
    const file = join(dir, "before-answers.sqlite");
    const claim = {
      clientId: "acme",
      commandId: "old",
      command: "pause-campaign",
      fingerprint: "f",
    };
    const first = new SqliteEventStore(file);
    await first.reserve(claim, "old-2");
    const event = newEvent("A", {}, { clientId: "acme", commandId: "old" });
    await first.append("old-2", [event], "no_stream");
    await first.close();
    // The table as earlier versions of the schema created it, without answers.
    const old = new Database(file);
    old.exec(
      "CREATE TABLE old_ids AS SELECT client_id, command_id, command, fingerprint, stream_id FROM command_ids;" +
        "DROP TABLE command_ids;" +
        "CREATE TABLE command_ids (client_id TEXT NOT NULL, command_id TEXT NOT NULL, command TEXT NOT NULL," +
        " fingerprint TEXT NOT NULL, stream_id TEXT NOT NULL, PRIMARY KEY (client_id, command_id)) WITHOUT ROWID;" +
        "INSERT INTO command_ids SELECT * FROM old_ids; DROP TABLE old_ids;",
    );
    old.close();
    const store = new SqliteEventStore(file);
    try {
      expect(await store.lookUp("acme", "old")).toMatchObject({
        streamId: "old-2",
        answer: undefined,
      });
      const answer = { reply: { ok: 1 }, position: 1n };
      const noOp = { ...claim, commandId: "no-op" };
      expect(await store.confirm(noOp, "old-2", 0n, answer)).toEqual({ kind: "taken" });
      expect(await store.lookUp("acme", "no-op")).toMatchObject({ answer });
    } finally {
      await store.close();
    }
  });

  it("is what openEventStore opens for kind sqlite, creating the data directory", async () => {
    const dataDir = join(dir, "nested", "data");
    const store = await openEventStore({ kind: "sqlite", dataDir });
    await store.append("open-1", [newEvent("A")], "no_stream");
    await store.close();
    expect(existsSync(join(dataDir, "events.sqlite"))).toBe(true);
  });
});
