/**
 * The wire vocabulary of the double: the message classes and service
 * definitions that `@eventstore/db-client` itself ships (generated from
 * EventStoreDB's protos, Apache-2.0). Nothing is compiled here, so the double
 * and the client can never disagree about the shape of a message.
 */
import { createRequire } from "node:module";
import type * as AnyPb from "google-protobuf/google/protobuf/any_pb.js";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb.js";
import codePb from "@eventstore/db-client/generated/code_pb.js";
import serverFeaturesGrpc from "@eventstore/db-client/generated/serverfeatures_grpc_pb.js";
import serverFeaturesPb from "@eventstore/db-client/generated/serverfeatures_pb.js";
import sharedPb from "@eventstore/db-client/generated/shared_pb.js";
import statusPb from "@eventstore/db-client/generated/status_pb.js";
import streamsGrpc from "@eventstore/db-client/generated/streams_grpc_pb.js";
import streamsPb from "@eventstore/db-client/generated/streams_pb.js";

export { codePb, serverFeaturesGrpc, serverFeaturesPb, sharedPb, statusPb, streamsGrpc, streamsPb };

// google.protobuf.Any (for google.rpc.Status details), loaded from where the
// client's own generated code loads it, so both use one class.
const requireFromClient = createRequire(
  createRequire(import.meta.url).resolve("@eventstore/db-client"),
);
export const { Any } = requireFromClient(
  "google-protobuf/google/protobuf/any_pb.js",
) as typeof AnyPb;
/** google.protobuf.Empty, which some newer messages use instead of event_store.client.Empty. */
export const { Empty: GoogleEmpty } = requireFromClient(
  "google-protobuf/google/protobuf/empty_pb.js",
) as typeof EmptyPb;

export type StreamsServer = streamsGrpc.IStreamsServer;
export type ServerFeaturesServer = serverFeaturesGrpc.IServerFeaturesServer;

/** A UUID message (string or structured form) as its canonical string. */
export function uuidToString(uuid: sharedPb.UUID | undefined): string {
  if (uuid === undefined) return "";
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const hex =
    BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())).toString(16).padStart(16, "0") +
    BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())).toString(16).padStart(16, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuid(value: string): sharedPb.UUID {
  return new sharedPb.UUID().setString(value);
}

export function streamIdentifier(streamId: string): sharedPb.StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamId, "utf8"));
}

export function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  return identifier === undefined
    ? ""
    : Buffer.from(identifier.getStreamName_asU8()).toString("utf8");
}
