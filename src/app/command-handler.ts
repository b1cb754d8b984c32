import { match } from "ts-pattern";
import type { EventStore, Position, RecordedEvent } from "../ports/event-store.js";
import {
  type CampaignCommand,
  type CampaignContext,
  type CampaignEvent,
  type CampaignState,
  type ClientDirectory,
  type DirectoryCommand,
  type DirectoryEvent,
  type DomainError,
  campaignDecider,
  campaignStreamId,
  decodeCampaignEvent,
  directoryDecider,
  directoryStreamId,
  domainError,
  encodeCampaignEvent,
  fold,
  isDomainError,
  parseWith,
  replayCampaign,
} from "../domain/index.js";
import { campaignReply, directoryReply } from "./command-replies.js";
import { type Executed, StreamCache } from "./stream-cache.js";
import { commandOrigin, newCampaignId } from "./command-origin.js";
import { campaignCommands, directoryCommands, isCampaignCommandName, isDirectoryCommandName } from "../contract/commands.js";
import type { CommandRequest } from "./handlers.js";

export type CommandAccepted = { ok: true; reply: unknown; position: Position; revision: bigint | undefined; repeated: boolean };
export type CommandRejected = { ok: false; error: DomainError };
export type CommandResult = CommandAccepted | CommandRejected;

export type CommandHandlerOptions = {
  defaultRegion: string;
  defaultTimeZone: string;
  clock?: () => Date;
  /** Concurrency conflicts with other instances are decided again this many times. */
  maxRetries?: number;
};

/**
 * Command handling, one straight line per command: parse the body, load what
 * the decision needs, decide and append (the stream cache runs the command on
 * its stream: pipelined, durable before answered, retried on a conflict),
 * reply. The transport stops here: the cache sees the command's origin only.
 */
export class CommandHandler {
  private readonly campaigns: StreamCache<CampaignState, CampaignEvent>;
  private readonly directories: StreamCache<ClientDirectory, DirectoryEvent>;
  private readonly clock: () => Date;

  constructor(
    store: EventStore,
    private readonly options: CommandHandlerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    const { maxRetries } = options;
    this.campaigns = new StreamCache(store, { initialState: campaignDecider.initialState, encode: encodeCampaignEvent, decode: decodeCampaignEvent, replay: replayCampaign, ...(maxRetries === undefined ? {} : { maxRetries }) });
    this.directories = new StreamCache(store, { initialState: directoryDecider.initialState, encode: (event) => event, decode: asEvent<DirectoryEvent>, replay: (s, events) => fold(directoryDecider.evolve, s, events), ...(maxRetries === undefined ? {} : { maxRetries }) });
  }

  handle(request: CommandRequest): Promise<CommandResult> {
    if (isCampaignCommandName(request.name)) return this.handleCampaign(request, campaignCommands[request.name]);
    if (isDirectoryCommandName(request.name)) return this.handleDirectory(request, directoryCommands[request.name]);
    return Promise.resolve(rejected(domainError("invalid_request", `unknown command ${request.name}`, [{ field: "subject", reason: `known commands: ${knownCommands}` }])));
  }

  private async handleCampaign(request: CommandRequest, entry: (typeof campaignCommands)[keyof typeof campaignCommands]): Promise<CommandResult> {
    const body = parseWith(entry.schema, request.body);
    if (isDomainError(body)) return rejected(body);
    const campaignId = "id" in body && body.id !== undefined ? body.id : newCampaignId(request.clientId, request.commandId);
    const command = { type: entry.type, clientId: request.clientId, campaignId, data: { ...body, id: campaignId } } as CampaignCommand;
    const context = await this.campaignContext(command);
    const outcome = await this.campaigns.execute(campaignStreamId(campaignId), commandOrigin(request), (state) => campaignDecider.decide(command, state, context));
    return answer(outcome, (events, state, revision) => campaignReply(command, events, state, revision, this.options.defaultRegion));
  }

  private async handleDirectory(request: CommandRequest, entry: (typeof directoryCommands)[keyof typeof directoryCommands]): Promise<CommandResult> {
    const body = parseWith(entry.schema, request.body);
    if (isDomainError(body)) return rejected(body);
    const command = { type: entry.type, clientId: request.clientId, data: body } as DirectoryCommand;
    const context = { defaultRegion: this.options.defaultRegion };
    const outcome = await this.directories.execute(directoryStreamId(request.clientId), commandOrigin(request), (state) => directoryDecider.decide(command, state, context));
    return answer(outcome, () => directoryReply(command));
  }

  /** The clock, defaults and (for create and update) the client's registered call flows and CLIs, read fresh from the store. */
  private async campaignContext(command: CampaignCommand): Promise<CampaignContext> {
    const needsDirectory = command.type === "CreateCampaign" || command.type === "UpdateCampaign";
    const directory = needsDirectory ? await this.directories.latest(directoryStreamId(command.clientId)) : undefined;
    return {
      now: this.clock().toISOString(),
      defaultRegion: this.options.defaultRegion,
      defaultTimeZone: this.options.defaultTimeZone,
      callFlowIds: new Set(directory?.callFlows.keys() ?? []),
      cliIds: new Set(directory?.clis.keys() ?? []),
    };
  }
}

/** The reply for what the command came to; a repeat rebuilds the first reply from the events it wrote. */
const answer = <State, Event>(outcome: Executed<State, Event>, reply: (events: readonly Event[], state: State, revision: bigint) => unknown): CommandResult =>
  match(outcome)
    .with({ kind: "refused" }, ({ error }) => rejected(error))
    .with({ kind: "unchanged" }, ({ state, revision, position }) => accepted(reply([], state, revision ?? -1n), position, revision, false))
    .with({ kind: "written" }, ({ events, state, revision, position }) => accepted(reply(events, state, revision), position, revision, false))
    .with({ kind: "repeated" }, ({ events, state, revision, position }) => accepted(reply(events, state, revision), position, revision, true))
    .exhaustive();

const accepted = (reply: unknown, position: Position, revision: bigint | undefined, repeated: boolean): CommandAccepted => ({ ok: true, reply, position, revision, repeated });
const rejected = (error: DomainError): CommandRejected => ({ ok: false, error });

/** A stored event as the decider's event. */
const asEvent = <Event>(recorded: RecordedEvent): Event => ({ type: recorded.type, data: recorded.data }) as Event;

const knownCommands = [...Object.keys(campaignCommands), ...Object.keys(directoryCommands)].join(", ");
