/**
 * A protocol double of EventStoreDB, for tests. It is NOT a database.
 *
 * EventStoreDB cannot run on our machines (no Docker), yet the eventstoredb
 * adapter must be shown to drive the real `@eventstore/db-client` correctly.
 * So this is an in-process gRPC server, built with `@grpc/grpc-js` from the
 * client package's own generated service definitions and message classes
 * (`@eventstore/db-client/generated/*_grpc_pb.js` / `*_pb.js`, Apache-2.0),
 * that speaks just enough of the protocol for the calls the adapter makes:
 *
 * - `ServerFeatures.GetSupportedMethods`, advertising `Streams.BatchAppend`
 *   (as servers since 21.10 do) so the client takes its batch-append path;
 *   `{ batchAppend: false }` hides it and the client falls back to `Streams.Append`.
 * - `Streams.BatchAppend` and `Streams.Append`, with expected-revision checks,
 *   idempotent retries by event id and the MaxAppendSize limit (1 MiB by default).
 * - `Streams.Tombstone` (`client.tombstoneStream`): the stream is deleted for
 *   good, and every later append (on either path) or read of it is refused with
 *   the server's stream-deleted error; a `$streamDeleted` record goes to `$all`.
 * - `Streams.Read`: one stream forwards/backwards with a count, `$all`
 *   forwards/backwards, and catch-up subscriptions to `$all` with a
 *   stream-prefix (or regex) filter: confirmation, events, checkpoints,
 *   caught-up, then live.
 *
 * A single-node `esdb://host:port?tls=false` connection string needs no gossip,
 * so there is none. Everything lives in memory; there is no persistence, no
 * projections, no ACLs, no soft deletion (`Streams.Delete`) and no stream subscriptions.
 * `dropSubscriptions()` ends every live subscription call with an error, the
 * way a server restart or a "consumer too slow" drop does, to test resubscription.
 */
import { EventStoreDBClient } from "@eventstore/db-client";
import * as grpc from "@grpc/grpc-js";
import {
  appendHandler,
  batchAppendHandler,
  tombstoneHandler,
} from "./eventstoredb-double/append.js";
import { EventLog, type StoredEvent } from "./eventstoredb-double/log.js";
import {
  serverFeaturesGrpc,
  serverFeaturesPb,
  streamsGrpc,
  type ServerFeaturesServer,
  type StreamsServer,
} from "./eventstoredb-double/proto.js";
import { readHandler } from "./eventstoredb-double/read.js";

export type { StoredEvent } from "./eventstoredb-double/log.js";

export type DoubleOptions = {
  /** Advertise and serve `Streams.BatchAppend` (default true). */
  batchAppend?: boolean;
  /** The server's MaxAppendSize in bytes (default 1 MiB, EventStoreDB's default before 25.1). */
  maxAppendSize?: number;
  /** Each append is answered this much later (EventStoreDB's fsynced append takes a few ms); default 0. */
  appendLatencyMs?: number;
};

export type DoubleStats = {
  /** Subscription calls opened (the first one plus every resubscription). */
  subscriptions: number;
  /** Events written to subscription calls (to observe flow control). */
  subscriptionEventsSent: number;
  appendCalls: number;
  batchAppends: number;
};

/** An event as the double stored it, with its data and metadata parsed from the wire bytes. */
export type WireEvent = Omit<StoredEvent, "data" | "metadata"> & {
  data: unknown;
  metadata: unknown;
};

export type RunningDouble = {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  stop(): Promise<void>;
  /** Ends every live subscription call with an error (UNAVAILABLE unless told otherwise). */
  dropSubscriptions(status?: { code: grpc.status; details: string }): number;
  /** The events in log ($all) order, as they arrived on the wire. */
  events(): WireEvent[];
  readonly stats: Readonly<DoubleStats>;
};

const SERVER_VERSION = "24.10.0";

const parse = (bytes: Uint8Array): unknown => {
  if (bytes.length === 0) return undefined;
  const text = Buffer.from(bytes).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export async function start(options: DoubleOptions = {}): Promise<RunningDouble> {
  const batchAppend = options.batchAppend ?? true;
  const log = new EventLog(options.maxAppendSize ?? 1024 * 1024);
  const stats: DoubleStats = {
    subscriptions: 0,
    subscriptionEventsSent: 0,
    appendCalls: 0,
    batchAppends: 0,
  };
  const live = new Set<(status: Partial<grpc.StatusObject>) => void>();

  const streams: StreamsServer = {
    read: readHandler(log, {
      add: (drop) => {
        live.add(drop);
        return () => live.delete(drop);
      },
      started: () => {
        stats.subscriptions += 1;
      },
      sent: () => {
        stats.subscriptionEventsSent += 1;
      },
    }),
    append: appendHandler(
      log,
      () => {
        stats.appendCalls += 1;
      },
      options.appendLatencyMs,
    ),
    batchAppend: batchAppend
      ? batchAppendHandler(
          log,
          () => {
            stats.batchAppends += 1;
          },
          options.appendLatencyMs,
        )
      : (call) =>
          call.emit("error", {
            code: grpc.status.UNIMPLEMENTED,
            details: "BatchAppend is switched off",
          }),
    // A soft delete (the stream reads as not found, and an append recreates it with its revisions
    // running on) is not in the double.
    delete: (_call, callback) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: "soft delete: not in the double" }),
    tombstone: tombstoneHandler(log),
  };

  const features: ServerFeaturesServer = {
    getSupportedMethods: (_call, callback) => {
      const method = (service: string, name: string) =>
        new serverFeaturesPb.SupportedMethod().setServiceName(service).setMethodName(name);
      const methods = [
        method("event_store.client.server_features.ServerFeatures", "getsupportedmethods"),
        method("event_store.client.streams.Streams", "read"),
        method("event_store.client.streams.Streams", "append"),
        method("event_store.client.streams.Streams", "tombstone"),
        ...(batchAppend ? [method("event_store.client.streams.Streams", "batchappend")] : []),
      ];
      callback(
        null,
        new serverFeaturesPb.SupportedMethods()
          .setMethodsList(methods)
          .setEventStoreServerVersion(SERVER_VERSION),
      );
    },
  };

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, streams);
  server.addService(serverFeaturesGrpc.ServerFeaturesService, features);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  const dropSubscriptions = (
    status: { code: grpc.status; details: string } = {
      code: grpc.status.UNAVAILABLE,
      details: "subscription dropped by the double",
    },
  ): number => {
    const drops = [...live];
    live.clear();
    for (const drop of drops) drop(status);
    return drops.length;
  };

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    stats,
    dropSubscriptions,
    events: () => log.all.map((e) => ({ ...e, data: parse(e.data), metadata: parse(e.metadata) })),
    stop: async () => {
      dropSubscriptions();
      server.forceShutdown();
    },
  };
}

/** Deletes a stream for good, as an operator would, with the real client. */
export async function tombstone(connectionString: string, streamId: string): Promise<void> {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    await client.tombstoneStream(streamId);
  } finally {
    await client.dispose();
  }
}
