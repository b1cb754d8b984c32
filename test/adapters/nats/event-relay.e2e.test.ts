/**
 * The relay under a burst of commits: every event reaches CAMPAIGN_EVENTS once,
 * in each campaign's order, and the publishes taken in one turn of the event
 * loop share socket writes (one write per event was 5.7% of the service's CPU
 * under the nats bench, and a read per event on nats-server).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from "nats";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EVENTS_STREAM, relayConsumer } from "../../../src/adapters/nats/event-relay.js";
import { openEventStore } from "../../../src/main/open-event-store.js";
import type { EventStore } from "../../../src/ports/event-store.js";
import { checkpointsIn } from "../../../src/projections/checkpoints.js";
import { MemoryReadModels } from "../../support/memory-read-models.js";
import { connectedNatsServerForFile } from "../../support/nats-server.js";

const nats = connectedNatsServerForFile();
const CAMPAIGNS = 16;
const COMMITS = 20;
let dataDir: string;
let store: EventStore;
let relayConnection: NatsConnection;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "relay-writes-"));
  store = await openEventStore({ kind: "sqlite", dataDir });
  relayConnection = await connect({ servers: nats.url, noAsyncTraces: true });
});
afterAll(async () => {
  await relayConnection?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Counts the socket writes nats.js makes on `nc` (its transport's socket; a test probe, nats.js itself untouched). */
function countWrites(nc: NatsConnection): { readonly writes: number } {
  const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol
    .transport.socket;
  const tally = { writes: 0 };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    tally.writes++;
    return write(...args);
  }) as typeof socket.write;
  return tally;
}

it("relays a burst of concurrent commits in order, with far fewer socket writes than events", async () => {
  const relay = relayConsumer(
    relayConnection,
    store,
    checkpointsIn(new MemoryReadModels()),
    pino({ level: "silent" }),
  );
  await relay.start();
  const tally = countWrites(relayConnection);

  // 16 campaigns, each 20 commits of one event one after another, all campaigns at once (the
  // bench's load, small).
  const heads = await Promise.all(
    Array.from({ length: CAMPAIGNS }, async (_, c) => {
      let position = 0n;
      for (let r = 0; r < COMMITS; r++) {
        const event = {
          eventId: crypto.randomUUID(),
          type: "AttemptOutcomeRecorded",
          data: { clientId: "acme", campaignId: `r-${c}`, seq: r },
          metadata: { clientId: "acme" },
        };
        position = (
          await store.append(`campaign-r-${c}`, [event], r === 0 ? "no_stream" : BigInt(r - 1))
        ).position;
      }
      return position;
    }),
  );
  const head = heads.reduce((a, b) => (a > b ? a : b));
  expect(await relay.waitFor(head, 10_000)).toBe(true);
  const writes = tally.writes;
  await relay.stop();

  const events = CAMPAIGNS * COMMITS;
  const jsm = await relayConnection.jetstreamManager();
  expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(events); // once each
  const consumer = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await (
    await relayConnection.jetstream().consumers.get(EVENTS_STREAM, consumer.name)
  ).fetch({ max_messages: events, expires: 5_000 });
  const seen = new Map<string, number[]>();
  for await (const m of messages) {
    const body = m.json<{ campaignId: string; data: { seq: number } }>();
    expect(m.subject).toBe(`campaigns.acme.events.${body.campaignId}.AttemptOutcomeRecorded`);
    seen.set(body.campaignId, [...(seen.get(body.campaignId) ?? []), body.data.seq]);
  }
  const expected = Array.from({ length: COMMITS }, (_, r) => r);
  expect([...seen.keys()].sort()).toEqual(
    Array.from({ length: CAMPAIGNS }, (_, c) => `r-${c}`).sort(),
  );
  for (const [id, seqs] of seen) expect(seqs, id).toEqual(expected);
  // One write per event without the per-turn batch; the events of one turn's commits share one with
  // it.
  expect(writes).toBeLessThan(events / 4);
});
