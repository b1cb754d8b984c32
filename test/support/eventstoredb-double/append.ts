/**
 * `Streams.Append` (one client-streaming call per append: options, then the
 * proposed messages) and `Streams.BatchAppend` (one long-lived bidirectional
 * call; requests and responses matched by correlation id). The client 6.x uses
 * BatchAppend whenever the server advertises it, Append otherwise. Errors are
 * reported the way EventStoreDB reports them on each path, so the client turns
 * them into its own `WrongExpectedVersionError` / `MaxAppendSizeExceededError` /
 * `StreamDeletedError`. Also `Streams.Tombstone`, which deletes a stream for good.
 */
import * as grpc from "@grpc/grpc-js";
import { type AppendOutcome, type EventLog, type Expected, type ProposedEvent } from "./log.js";
import {
  Any,
  GoogleEmpty,
  codePb,
  sharedPb,
  statusPb,
  streamIdentifier,
  streamName,
  streamsPb,
  uuid,
  uuidToString,
  type StreamsServer,
} from "./proto.js";

const { AppendResp, BatchAppendResp } = streamsPb;

type Proposal = streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage;

function proposedEvent(message: Proposal): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: uuidToString(message.getId()),
    type: metadata.get("type") ?? "",
    contentType: metadata.get("content-type") ?? "application/octet-stream",
    data: Uint8Array.from(message.getData_asU8()),
    metadata: Uint8Array.from(message.getCustomMetadata_asU8()),
  };
}

function expectedOf(
  options:
    streamsPb.AppendReq.Options | streamsPb.BatchAppendReq.Options | streamsPb.TombstoneReq.Options,
): Expected {
  if (options.hasNoStream()) return { kind: "no_stream" };
  if (options.hasAny()) return { kind: "any" };
  if (options.hasStreamExists()) return { kind: "stream_exists" };
  const revision =
    options instanceof streamsPb.BatchAppendReq.Options
      ? options.getStreamPosition()
      : options.getRevision();
  return { kind: "revision", revision: BigInt(revision) };
}

function maxAppendSizeStatus(maxAppendSize: number): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set("exception", "maximum-append-size-exceeded");
  metadata.set("maximum-append-size", String(maxAppendSize));
  return {
    code: grpc.status.INVALID_ARGUMENT,
    details: `Maximum Append Size of ${maxAppendSize} Exceeded.`,
    metadata,
  };
}

/** How Append, Read and Tombstone report a stream deleted for good: an exception in the call's metadata. */
export function streamDeletedStatus(streamId: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set("exception", "stream-deleted");
  metadata.set("stream-name", streamId);
  return {
    code: grpc.status.FAILED_PRECONDITION,
    details: `Event stream '${streamId}' is deleted.`,
    metadata,
  };
}

/** Answers after `latencyMs` (a server's fsync), the append itself already in the log in arrival order. */
const after = (latencyMs: number, answer: () => void): void => {
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
};

export function appendHandler(
  log: EventLog,
  onAppendCall: () => void,
  latencyMs = 0,
): StreamsServer["append"] {
  return (call, callback) => {
    onAppendCall();
    let options: streamsPb.AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    call.on("data", (request: streamsPb.AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else if (request.hasProposedMessage())
        proposed.push(proposedEvent(request.getProposedMessage()!));
    });
    call.on("error", () => undefined);
    call.on("end", () => {
      if (options === undefined) {
        callback({
          code: grpc.status.INVALID_ARGUMENT,
          details: "the first message must carry the options",
        });
        return;
      }
      const expected = expectedOf(options);
      const name = streamName(options.getStreamIdentifier());
      const outcome = log.append(name, expected, proposed);
      if (outcome.kind === "too_large") {
        callback(maxAppendSizeStatus(outcome.maxAppendSize));
        return;
      }
      if (outcome.kind === "stream_deleted") {
        callback(streamDeletedStatus(name));
        return;
      }
      const response = appendResponse(outcome, expected);
      after(latencyMs, () => callback(null, response));
    });
  };
}

function appendResponse(
  outcome: Exclude<AppendOutcome, { kind: "too_large" } | { kind: "stream_deleted" }>,
  expected: Expected,
): streamsPb.AppendResp {
  if (outcome.kind === "success") {
    const success = new AppendResp.Success().setPosition(
      new AppendResp.Position()
        .setCommitPosition(outcome.commit.toString())
        .setPreparePosition(outcome.prepare.toString()),
    );
    if (outcome.currentRevision === undefined) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    return new AppendResp().setSuccess(success);
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(outcome.current.toString());
  if (expected.kind === "revision") wrong.setExpectedRevision(expected.revision.toString());
  else if (expected.kind === "no_stream") wrong.setExpectedNoStream(new sharedPb.Empty());
  else if (expected.kind === "stream_exists") wrong.setExpectedStreamExists(new sharedPb.Empty());
  else wrong.setExpectedAny(new sharedPb.Empty());
  return new AppendResp().setWrongExpectedVersion(wrong);
}

/** A google.rpc.Status whose details carry one EventStoreDB error message. */
function errorStatus(
  code: codePb.Code,
  message: string,
  detail: { serializeBinary(): Uint8Array },
  typeName: string,
) {
  const details = new Any();
  details.pack(detail.serializeBinary(), typeName);
  return new statusPb.Status().setCode(code).setMessage(message).setDetails(details);
}

type Pending = { options: streamsPb.BatchAppendReq.Options; proposed: ProposedEvent[] };

export function batchAppendHandler(
  log: EventLog,
  onBatch: () => void,
  latencyMs = 0,
): StreamsServer["batchAppend"] {
  return (call) => {
    const pending = new Map<string, Pending>();
    call.on("data", (request: streamsPb.BatchAppendReq) => {
      const correlationId = uuidToString(request.getCorrelationId());
      let batch = pending.get(correlationId);
      if (batch === undefined) {
        const options = request.getOptions();
        if (options === undefined) return; // a continuation of a batch we never saw the start of
        batch = { options, proposed: [] };
        pending.set(correlationId, batch);
      }
      for (const message of request.getProposedMessagesList())
        batch.proposed.push(proposedEvent(message));
      if (!request.getIsFinal()) return;
      pending.delete(correlationId);
      onBatch();
      const response = batchResponse(log, correlationId, batch);
      after(latencyMs, () => call.write(response));
    });
    call.on("error", () => undefined);
    call.on("end", () => call.end());
  };
}

function batchResponse(
  log: EventLog,
  correlationId: string,
  batch: Pending,
): streamsPb.BatchAppendResp {
  const name = streamName(batch.options.getStreamIdentifier());
  const expected = expectedOf(batch.options);
  const outcome = log.append(name, expected, batch.proposed);
  const response = new BatchAppendResp()
    .setCorrelationId(uuid(correlationId))
    .setStreamIdentifier(streamIdentifier(name));
  if (expected.kind === "revision") response.setStreamPosition(expected.revision.toString());
  else if (expected.kind === "no_stream") response.setNoStream(new GoogleEmpty());
  else if (expected.kind === "stream_exists") response.setStreamExists(new GoogleEmpty());
  else response.setAny(new GoogleEmpty());

  switch (outcome.kind) {
    case "success": {
      const success = new BatchAppendResp.Success().setPosition(
        new sharedPb.AllStreamPosition()
          .setCommitPosition(outcome.commit.toString())
          .setPreparePosition(outcome.prepare.toString()),
      );
      if (outcome.currentRevision === undefined) success.setNoStream(new GoogleEmpty());
      else success.setCurrentRevision(outcome.currentRevision.toString());
      return response.setSuccess(success);
    }
    case "too_large": {
      const detail = new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(
        outcome.maxAppendSize,
      );
      return response.setError(
        errorStatus(
          codePb.Code.INVALID_ARGUMENT,
          `Maximum Append Size of ${outcome.maxAppendSize} Exceeded.`,
          detail,
          "event_store.client.MaximumAppendSizeExceeded",
        ),
      );
    }
    case "stream_deleted": {
      const detail = new sharedPb.StreamDeleted().setStreamIdentifier(streamIdentifier(name));
      return response.setError(
        errorStatus(
          codePb.Code.FAILED_PRECONDITION,
          `Event stream '${name}' is deleted.`,
          detail,
          "event_store.client.StreamDeleted",
        ),
      );
    }
    case "wrong_expected_version": {
      const detail = new sharedPb.WrongExpectedVersion();
      if (outcome.current === undefined) detail.setCurrentNoStream(new GoogleEmpty());
      else detail.setCurrentStreamRevision(outcome.current.toString());
      if (expected.kind === "revision")
        detail.setExpectedStreamPosition(expected.revision.toString());
      else if (expected.kind === "no_stream") detail.setExpectedNoStream(new GoogleEmpty());
      else if (expected.kind === "stream_exists") detail.setExpectedStreamExists(new GoogleEmpty());
      else detail.setExpectedAny(new GoogleEmpty());
      return response.setError(
        errorStatus(
          codePb.Code.FAILED_PRECONDITION,
          "Wrong expected version.",
          detail,
          "event_store.client.WrongExpectedVersion",
        ),
      );
    }
  }
}

/** `Streams.Tombstone`: deletes a stream for good; a wrong expected revision or a second tombstone is refused. */
export function tombstoneHandler(log: EventLog): StreamsServer["tombstone"] {
  return (call, callback) => {
    const options = call.request.getOptions();
    if (options === undefined) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: "options are required" });
      return;
    }
    const name = streamName(options.getStreamIdentifier());
    const expected = expectedOf(options);
    const outcome = log.tombstone(name, expected);
    switch (outcome.kind) {
      case "success":
        callback(
          null,
          new streamsPb.TombstoneResp().setPosition(
            new streamsPb.TombstoneResp.Position()
              .setCommitPosition(outcome.commit.toString())
              .setPreparePosition(outcome.prepare.toString()),
          ),
        );
        return;
      case "stream_deleted":
        callback(streamDeletedStatus(name));
        return;
      case "wrong_expected_version": {
        // EventStoreDB's numbers for the expectations: -1 no stream, -2 any, -4 stream exists.
        const metadata = new grpc.Metadata();
        metadata.set("exception", "wrong-expected-version");
        metadata.set("stream-name", name);
        metadata.set(
          "expected-version",
          expected.kind === "revision"
            ? expected.revision.toString()
            : expected.kind === "no_stream"
              ? "-1"
              : expected.kind === "stream_exists"
                ? "-4"
                : "-2",
        );
        if (outcome.current !== undefined)
          metadata.set("actual-version", outcome.current.toString());
        callback({
          code: grpc.status.FAILED_PRECONDITION,
          details: "Wrong expected version.",
          metadata,
        });
        return;
      }
    }
  };
}
