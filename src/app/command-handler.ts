import { v4 as uuidv4, v5 as uuidv5, v7 as uuidv7 } from "uuid";
import { type AppendResult, AppendTooLargeError, ConcurrencyError, type EventMetadata, type EventStore, type NewEvent, type Position, type RecordedEvent } from "../ports/event-store.js";
import { type CampaignCommand, type CampaignState, type DirectoryCommand, type DirectoryEvent, type ClientDirectory, type DomainError, campaignDecider, campaignStreamId, decodeCampaignEvent, directoryDecider, encodeCampaignEvent, directoryStreamId, domainError, isDomainError, fold, parseWith, replayCampaign } from "../domain/index.js";
import { campaignReply, directoryReply } from "./command-replies.js";
import { KeyedQueue } from "./keyed-queue.js";
import { type CachedStream, StreamCache, commandKey } from "./stream-cache.js";
import { type CommandName, campaignCommands, directoryCommands, isCampaignCommandName } from "../contract/commands.js";

export type CommandEnvelope = {
  name: string;
  clientId: string;
  body: unknown;
  /** Idempotency key (`Command-Id`): a repeat returns the first reply and writes nothing. */
  commandId?: string;
  correlationId?: string;
  traceparent?: string;
};

export type CommandAccepted = { ok: true; reply: unknown; position: Position; revision: bigint | undefined; repeated: boolean };
export type CommandRejected = { ok: false; error: DomainError };
export type CommandResult = CommandAccepted | CommandRejected;

export type CommandHandlerOptions = {
  defaultRegion: string;
  defaultTimeZone: string;
  clock?: () => Date;
  /** Concurrency conflicts with other instances are retried this many times. */
  maxRetries?: number;
};

/** Namespace for ids derived from a client's Command-Id (campaign ids and event ids). */
const COMMAND_NAMESPACE = "6f1c2a52-5d0e-4a43-9a55-0c8b8a3c2f11";

/**
 * Command handling: load (cached) state, decide, append with the expected
 * revision, retry on a conflict with another instance. Commands on one stream
 * are serialised in this process; different streams run concurrently.
 */
export class CommandHandler {
  private readonly campaigns: StreamCache<CampaignState>;
  private readonly directories: StreamCache<ClientDirectory>;
  private readonly queue = new KeyedQueue();
  private readonly clock: () => Date;
  private readonly maxRetries: number;

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandHandlerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.maxRetries = options.maxRetries ?? 20;
    this.campaigns = new StreamCache(store, campaignDecider.initialState, (s, events) => replayCampaign(s, events.map(decodeCampaignEvent)));
    this.directories = new StreamCache(store, directoryDecider.initialState, (s, events) => fold(directoryDecider.evolve, s, events as unknown as DirectoryEvent[]));
  }

  async handle(envelope: CommandEnvelope): Promise<CommandResult> {
    if (isCampaignCommandName(envelope.name)) return this.handleCampaign(envelope, envelope.name);
    if (Object.hasOwn(directoryCommands, envelope.name)) return this.handleDirectory(envelope, envelope.name as keyof typeof directoryCommands);
    return rejected(domainError("invalid_request", `unknown command ${envelope.name}`, [{ field: "subject", reason: `known commands: ${knownCommands}` }]));
  }

  private async handleCampaign(envelope: CommandEnvelope, name: keyof typeof campaignCommands): Promise<CommandResult> {
    const entry = campaignCommands[name];
    const body = parseWith(entry.schema, envelope.body);
    if (isDomainError(body)) return rejected(body);
    const campaignId = "id" in body && body.id !== undefined ? body.id : this.newCampaignId(envelope);
    const command = { type: entry.type, clientId: envelope.clientId, campaignId, data: { ...body, id: campaignId } } as CampaignCommand;
    const streamId = campaignStreamId(campaignId);

    return this.withRetries(streamId, this.campaigns, envelope, async (stream) => {
        const needsDirectory = command.type === "CreateCampaign" || command.type === "UpdateCampaign";
        const directory = needsDirectory ? (await this.directories.refresh(directoryStreamId(envelope.clientId))).state : undefined;
        const context = {
          now: this.clock().toISOString(),
          defaultRegion: this.options.defaultRegion,
          defaultTimeZone: this.options.defaultTimeZone,
          callFlowIds: new Set(directory?.callFlows.keys() ?? []),
          cliIds: new Set(directory?.clis.keys() ?? []),
        };
        // Stored compactly (stored-event.ts); decoded again for the reply, whether just written or read back for a repeat.
        const decision = campaignDecider.decide(command, stream.state, context);
        return isDomainError(decision) ? decision : decision.map(encodeCampaignEvent);
      }, (events, state, revision) => campaignReply(command, events.map(decodeCampaignEvent), state, revision, this.options.defaultRegion));
  }

  private async handleDirectory(envelope: CommandEnvelope, name: keyof typeof directoryCommands): Promise<CommandResult> {
    const entry = directoryCommands[name];
    const body = parseWith(entry.schema, envelope.body);
    if (isDomainError(body)) return rejected(body);
    const command = { type: entry.type, clientId: envelope.clientId, data: body } as DirectoryCommand;
    const streamId = directoryStreamId(envelope.clientId);
    return this.withRetries(streamId, this.directories, envelope, async (stream) =>
      directoryDecider.decide(command, stream.state, { defaultRegion: this.options.defaultRegion }),
      () => directoryReply(command),
    );
  }

  /**
   * The decide-append loop shared by every stream: idempotency first, then
   * optimistic concurrency. Commands on one stream are decided one at a time
   * (under the stream's lock), each on the state after the previous one's
   * events, while those events may still be on their way to the store. An
   * append only goes to the store once the state it was decided on is durable,
   * and no answer (a reply, a no-op or a rejection) leaves before then: if an
   * earlier append failed, the command is decided again on what the store holds.
   */
  private async withRetries<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    cache: StreamCache<State>,
    envelope: CommandEnvelope,
    decide: (stream: CachedStream<State>) => Promise<readonly Event[] | DomainError>,
    reply: (events: readonly Event[], state: State, revision: bigint) => unknown,
  ): Promise<CommandResult> {
    const key = envelope.commandId === undefined ? undefined : commandKey(envelope.clientId, envelope.commandId);
    for (let attempt = 0; ; attempt++) {
      const step = await this.queue.run(streamId, async (): Promise<Step<State, Event>> => {
        const stream = await cache.get(streamId);
        if (key !== undefined && stream.commands.has(key)) return { kind: "repeat", stream };
        const decision = await decide(stream);
        if (isDomainError(decision) || decision.length === 0) return { kind: "answer", stream, decision };
        const events = decision.map((event, i) => this.toNewEvent(event, i, envelope));
        const append = this.appendAfter(streamId, stream, events);
        const after = cache.applyPending(streamId, stream, this.asRecorded(streamId, events, stream.revision), append, envelope);
        return { kind: "append", append, after, decision };
      });

      if (step.kind === "append") {
        try {
          const written = await step.append;
          return { ok: true, reply: reply(step.decision, step.after.state, written.nextRevision), position: written.position, revision: written.nextRevision, repeated: false };
        } catch (error) {
          // The domain keeps appends under the limit; should one still be refused for size, say so as the rule it is.
          if (error instanceof AppendTooLargeError)
            return rejected(domainError("rule_violated", "the command's events are too large for one append; send fewer numbers per command", [{ field: "phoneNumbers", reason: error.message }]));
          if (!(error instanceof ConcurrencyError || error instanceof EarlierAppendFailed) || attempt >= this.maxRetries) throw error;
          // Another instance got there first: back off a little, jittered, and decide again on what the store holds.
          if (error instanceof ConcurrencyError) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
          await this.queue.run(streamId, () => cache.refresh(streamId));
          continue;
        }
      }
      // Decided (or found) on a state that may still be in flight: answer only once it is durable.
      if (!(await step.stream.settled)) continue;
      if (step.kind === "answer") {
        const { decision, stream } = step;
        if (isDomainError(decision)) return rejected(decision);
        const position = cache.durablePosition(streamId);
        return { ok: true, reply: reply([], stream.state, stream.revision ?? -1n), position, revision: stream.revision, repeated: false };
      }
      const record = step.stream.commands.get(key!);
      if (!record) continue; // its append failed after all: decide it afresh
      const events = await this.readRange(streamId, record.fromRevision, record.toRevision);
      return { ok: true, reply: reply(events as unknown as Event[], step.stream.state, record.toRevision), position: record.position, revision: record.toRevision, repeated: true };
    }
  }

  /**
   * Sends an append decided on `stream`. A store that checks the event at the
   * expected revision gets it at once, conditional on the last event being the
   * one this state was built on (so appends on one campaign share a group
   * commit, and fail together); any other store gets it once `stream` is durable.
   */
  private appendAfter<State>(streamId: string, stream: CachedStream<State>, events: NewEvent[]): Promise<AppendResult> {
    if (stream.revision === undefined) return this.store.append(streamId, events, "no_stream");
    if (this.store.checksLastEventId && stream.lastEventId !== undefined)
      return this.store.append(streamId, events, stream.revision, { lastEventId: stream.lastEventId });
    return stream.settled.then((ok) => (ok ? this.store.append(streamId, events, stream.revision!) : Promise.reject(new EarlierAppendFailed())));
  }

  private newCampaignId(envelope: CommandEnvelope): string {
    // With a Command-Id the id is derived from it, so a retried create lands on the same stream and is recognised.
    return envelope.commandId === undefined ? uuidv7() : uuidv5(`${envelope.clientId}:${envelope.commandId}`, COMMAND_NAMESPACE);
  }

  private toNewEvent(event: { type: string; data: unknown }, index: number, envelope: CommandEnvelope): NewEvent {
    const eventId = envelope.commandId === undefined ? uuidv4() : uuidv5(`${envelope.clientId}:${envelope.commandId}:${index}`, COMMAND_NAMESPACE);
    return { eventId, type: event.type, data: event.data, metadata: this.metadata(envelope) };
  }

  private metadata(envelope: CommandEnvelope): EventMetadata {
    return {
      clientId: envelope.clientId,
      ...(envelope.commandId === undefined ? {} : { commandId: envelope.commandId, causationId: envelope.commandId }),
      ...(envelope.correlationId === undefined ? {} : { correlationId: envelope.correlationId }),
      ...(envelope.traceparent === undefined ? {} : { traceparent: envelope.traceparent }),
    };
  }

  /** What the store will hold after an append, without reading it back. The position is filled in once the append is durable. */
  private asRecorded(streamId: string, events: readonly NewEvent[], previous: bigint | undefined): RecordedEvent[] {
    const first = previous === undefined ? 0n : previous + 1n;
    const recordedAt = this.clock();
    return events.map((event, i) => ({ streamId, revision: first + BigInt(i), position: 0n, type: event.type, data: event.data, metadata: event.metadata, recordedAt, eventId: event.eventId }));
  }

  private async readRange(streamId: string, from: bigint, to: bigint): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of this.store.read(streamId, { from, direction: "forwards", limit: Number(to - from + 1n) })) events.push(event);
    return events;
  }
}

const rejected = (error: DomainError): CommandRejected => ({ ok: false, error });

/** What a command came to under its stream's lock. */
type Step<State, Event> =
  | { kind: "repeat"; stream: CachedStream<State> }
  | { kind: "answer"; stream: CachedStream<State>; decision: readonly Event[] | DomainError }
  | { kind: "append"; append: Promise<{ nextRevision: bigint; position: Position }>; after: CachedStream<State>; decision: readonly Event[] };

/** An append on the same stream before this one failed, so this one, decided on top of it, is never sent. */
class EarlierAppendFailed extends Error {
  constructor() {
    super("an earlier append on this stream failed");
  }
}

const knownCommands = [...Object.keys(campaignCommands), ...Object.keys(directoryCommands)].join(", ");
export type { CommandName };
