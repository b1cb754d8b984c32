/** CAMPAIGN_EVENTS retention: EVENTS_MAX_AGE / EVENTS_MAX_BYTES set the stream's limits, also on a stream made before. */
import { describe, expect, it } from "vitest";
import type { StreamInfo } from "nats";
import { EVENTS_STREAM } from "../../../src/adapters/nats/event-relay.js";
import { connectedNatsServerForFile } from "../../support/nats-server.js";
import { startTestInstance } from "../../support/instance.js";

const nats = connectedNatsServerForFile();

/** The stream's config once the relay (started when the instance takes the lease) has set it to `until`. */
async function streamConfig(until: (info: StreamInfo) => boolean): Promise<StreamInfo["config"]> {
  const jsm = await nats.nc.jetstreamManager();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const info = await jsm.streams.info(EVENTS_STREAM).catch(() => undefined);
    if ((info && until(info)) || Date.now() > deadline) return info!.config;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SECOND = 1_000_000_000;

describe("CAMPAIGN_EVENTS retention", () => {
  it("defaults to 365 days and no byte limit, and follows a changed configuration on the next start", async () => {
    const first = await startTestInstance(nats.url, { EVENT_STORE: "memory" });
    expect(await streamConfig((i) => i.config.max_age > 0)).toMatchObject({
      max_age: 365 * 86_400 * SECOND,
      max_bytes: -1,
    });
    await first.stop();

    const second = await startTestInstance(nats.url, {
      EVENT_STORE: "memory",
      EVENTS_MAX_AGE: "12h",
      EVENTS_MAX_BYTES: "50000000",
    });
    expect(await streamConfig((i) => i.config.max_bytes === 50_000_000)).toMatchObject({
      max_age: 12 * 3600 * SECOND,
      max_bytes: 50_000_000,
    });
    await second.stop();
  }, 60_000);
});
