import { match } from "ts-pattern";
import type { EventStore, Position, RecordedEvent } from "../ports/event-store.js";
import {
  type CampaignCommand,
  type CampaignContext,
  type CampaignEvent,
  type CampaignState,
  type ClientDirectory,
  type ClientExclusions,
  type ClientExclusionsCommand,
  type DialQueueCounts,
  type ExclusionList,
  type ExclusionListEvent,
  STAGE_OPT_OUT,
  clientExclusionsDecider,
  clientExclusionsStreamId,
  dialQueue,
  exclusionsReply,
  notFound,
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
import { type Executed, type Reply, StreamWriter } from "./stream-writer.js";
import { type CommandReservations, reservationsOf } from "../ports/command-reservations.js";
import { commandOrigin, newCampaignId } from "./command-origin.js";
import {
  campaignCommands,
  directoryCommands,
  exclusionCommands,
  isCampaignCommandName,
  isDirectoryCommandName,
  isExclusionCommandName,
} from "../contract/commands.js";
import type { CommandRequest } from "./handler-types.js";

export type CommandAccepted = {
  ok: true;
  reply: unknown;
  position: Position;
  revision: bigint | undefined;
  repeated: boolean;
};
export type CommandRejected = { ok: false; error: DomainError };
export type CommandResult = CommandAccepted | CommandRejected;

export type CommandHandlerOptions = {
  defaultRegion: string;
  defaultTimeZone: string;
  clock?: () => Date;
  /** Concurrency conflicts with other instances are decided again this many times. */
  maxRetries?: number;
  /** The store's Command-Id reservations; the store's own when absent (every adapter keeps them). */
  reservations?: CommandReservations;
};

/**
 * Command handling, one straight line per command: parse the body, load what
 * the decision needs, decide and append (the stream writer runs the command on
 * its stream: pipelined, durable before answered, retried on a conflict),
 * reply. The transport stops here: the writer sees the command's origin only.
 */
export class CommandHandler {
  private readonly campaigns: StreamWriter<CampaignState, CampaignEvent>;
  private readonly directories: StreamWriter<ClientDirectory, DirectoryEvent>;
  private readonly exclusionLists: StreamWriter<ClientExclusions, ExclusionListEvent>;
  private readonly clock: () => Date;

  constructor(
    store: EventStore,
    private readonly options: CommandHandlerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    const { maxRetries } = options;
    const reservations = options.reservations ?? reservationsOf(store);
    this.campaigns = new StreamWriter(store, reservations, {
      initialState: campaignDecider.initialState,
      encode: encodeCampaignEvent,
      decode: decodeCampaignEvent,
      replay: replayCampaign,
      ...(maxRetries === undefined ? {} : { maxRetries }),
    });
    this.directories = new StreamWriter(store, reservations, {
      initialState: directoryDecider.initialState,
      encode: (event) => event,
      decode: asEvent<DirectoryEvent>,
      replay: (s, events) => fold(directoryDecider.evolve, s, events),
      ...(maxRetries === undefined ? {} : { maxRetries }),
    });
    // The client's exclusion list, stream exclusions-<client>: its events are stored as the
    // campaign's list events are (tables).
    this.exclusionLists = new StreamWriter(store, reservations, {
      initialState: clientExclusionsDecider.initialState,
      encode: (event: ExclusionListEvent) => encodeCampaignEvent(event),
      decode: (recorded: RecordedEvent) => decodeCampaignEvent(recorded) as ExclusionListEvent,
      replay: (s, events) => fold(clientExclusionsDecider.evolve, s, events),
      ...(maxRetries === undefined ? {} : { maxRetries }),
    });
  }

  handle(request: CommandRequest): Promise<CommandResult> {
    if (isCampaignCommandName(request.name))
      return this.handleCampaign(request, campaignCommands[request.name]);
    if (isDirectoryCommandName(request.name))
      return this.handleDirectory(request, directoryCommands[request.name]);
    if (isExclusionCommandName(request.name))
      return this.handleExclusions(request, exclusionCommands[request.name]);
    return Promise.resolve(
      rejected(
        domainError("invalid_request", `unknown command ${request.name}`, [
          { field: "subject", reason: `known commands: ${knownCommands}` },
        ]),
      ),
    );
  }

  private async handleCampaign(
    request: CommandRequest,
    entry: (typeof campaignCommands)[keyof typeof campaignCommands],
  ): Promise<CommandResult> {
    const body = parseWith(entry.schema, request.body);
    if (isDomainError(body)) return rejected(body);
    const campaignId =
      "id" in body && body.id !== undefined
        ? body.id
        : newCampaignId(request.clientId, request.commandId);
    const command = {
      type: entry.type,
      clientId: request.clientId,
      campaignId,
      data: { ...body, id: campaignId },
    } as CampaignCommand;
    const result = await this.runCampaign(request, command);
    return command.type === "RecordStageReached" && command.data.stage === STAGE_OPT_OUT
      ? this.optOutFollowUp(request, result)
      : result;
  }

  private async runCampaign(
    request: CommandRequest,
    command: CampaignCommand,
  ): Promise<CommandResult> {
    const context = await this.campaignContext(command);
    const reply = (events: readonly CampaignEvent[], state: CampaignState, revision: bigint) =>
      campaignReply(command, events, state, revision, this.options.defaultRegion, context.now);
    const outcome = await this.campaigns.run(
      campaignStreamId(command.campaignId),
      commandOrigin(request),
      (state) => campaignDecider.decide(command, state, context),
      reply,
    );
    return answer(outcome, reply);
  }

  /**
   * With a campaignId, that campaign's list (a command on its stream); without,
   * the client's list, stream `exclusions-<clientId>`.
   */
  private async handleExclusions(
    request: CommandRequest,
    entry: (typeof exclusionCommands)[keyof typeof exclusionCommands],
  ): Promise<CommandResult> {
    const body = parseWith(entry.schema, request.body);
    if (isDomainError(body)) return rejected(body);
    if (body.campaignId !== undefined)
      return this.runCampaign(request, {
        type: entry.campaign,
        clientId: request.clientId,
        campaignId: body.campaignId,
        data: body,
      } as CampaignCommand);
    const command = {
      type: entry.client,
      clientId: request.clientId,
      data: body,
    } as ClientExclusionsCommand;
    const context = { now: this.clock().toISOString(), defaultRegion: this.options.defaultRegion };
    const reply = (events: readonly ExclusionListEvent[], state: ClientExclusions) =>
      exclusionsReply(command, events, state.entries, context);
    const outcome = await this.exclusionLists.run(
      clientExclusionsStreamId(request.clientId),
      commandOrigin(request),
      (state) => clientExclusionsDecider.decide(command, state, context),
      reply,
    );
    return answer(outcome, reply);
  }

  /**
   * Stage 14 (OptOut) puts the number on the client's list (reason opt-out),
   * so its other campaigns stop calling it too. Done once the stage is
   * durable, under a Command-Id derived from the campaign and number (so
   * doing it twice writes once); a repeat of the stage command does it again,
   * so a failure here answers 503 and the dialler's retry completes it.
   */
  private async optOutFollowUp(
    request: CommandRequest,
    result: CommandResult,
  ): Promise<CommandResult> {
    if (!result.ok) return result;
    const { id, e164 } = result.reply as { id: string; e164?: string };
    const state = await this.campaigns.latest(campaignStreamId(id));
    const next =
      e164 === undefined || state.status === "absent" ? undefined : state.numbers.get(e164)?.next;
    if (next?.status !== "completed" || next.result !== "opted_out") return result;
    const followUp: CommandRequest = {
      name: "add-exclusions",
      clientId: request.clientId,
      body: { numbers: [{ number: e164!, reason: "opt-out" }] },
      commandId: `opt-out:${id}:${e164}`,
      ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
    };
    const added = await this.handleExclusions(followUp, exclusionCommands["add-exclusions"]).catch(
      () => undefined,
    );
    if (added?.ok) return result;
    return rejected(
      domainError(
        "unavailable",
        "the opt-out is recorded but not yet on the client's exclusion list; retry with the same Command-Id",
        [{ field: "stage", reason: "opt-out not yet applied to the client's list" }],
      ),
    );
  }

  /** get-dial-queue: counted on the campaign's decided state, caught up with the store, at this moment. */
  async dialQueue(clientId: string, id: string): Promise<DialQueueCounts | DomainError> {
    const campaign = await this.ownCampaign(clientId, id);
    if (isDomainError(campaign)) return campaign;
    const list = await this.exclusionLists.latest(clientExclusionsStreamId(clientId));
    return dialQueue(campaign, this.clock().toISOString(), list.entries);
  }

  /** list-exclusions: the client's list, or (with a campaignId) the campaign's. */
  async exclusionList(
    clientId: string,
    campaignId: string | undefined,
  ): Promise<ExclusionList | DomainError> {
    if (campaignId === undefined)
      return (await this.exclusionLists.latest(clientExclusionsStreamId(clientId))).entries;
    const campaign = await this.ownCampaign(clientId, campaignId);
    return isDomainError(campaign) ? campaign : campaign.exclusions;
  }

  private async ownCampaign(clientId: string, id: string) {
    const state = await this.campaigns.latest(campaignStreamId(id));
    return state.status === "absent" || state.status === "deleted" || state.clientId !== clientId
      ? notFound("campaign", id)
      : state;
  }

  private async handleDirectory(
    request: CommandRequest,
    entry: (typeof directoryCommands)[keyof typeof directoryCommands],
  ): Promise<CommandResult> {
    const body = parseWith(entry.schema, request.body);
    if (isDomainError(body)) return rejected(body);
    const command = {
      type: entry.type,
      clientId: request.clientId,
      data: body,
    } as DirectoryCommand;
    const context = { defaultRegion: this.options.defaultRegion };
    const reply = () => directoryReply(command);
    const outcome = await this.directories.run(
      directoryStreamId(request.clientId),
      commandOrigin(request),
      (state) => directoryDecider.decide(command, state, context),
      reply,
    );
    return answer(outcome, reply);
  }

  /** The clock, defaults and (for create and update) the client's registered call flows and CLIs, read fresh from the store. */
  private async campaignContext(command: CampaignCommand): Promise<CampaignContext> {
    const needsDirectory = command.type === "CreateCampaign" || command.type === "UpdateCampaign";
    const directory = needsDirectory
      ? await this.directories.latest(directoryStreamId(command.clientId))
      : undefined;
    return {
      now: this.clock().toISOString(),
      defaultRegion: this.options.defaultRegion,
      defaultTimeZone: this.options.defaultTimeZone,
      callFlowIds: new Set(directory?.callFlows.keys() ?? []),
      cliIds: new Set(directory?.clis.keys() ?? []),
      // Admitting numbers and claiming read the client's exclusion list (a claim applies what it
      // added since).
      clientExclusions: needsExclusions.has(command.type)
        ? await this.exclusionLists.latest(clientExclusionsStreamId(command.clientId))
        : clientExclusionsDecider.initialState(),
    };
  }
}

/** The result for what the command came to: a write's reply is built from its events (a repeat's from those it wrote first). */
const answer = <State, Event>(
  outcome: Executed<State, Event>,
  reply: Reply<State, Event>,
): CommandResult =>
  match(outcome)
    .with({ kind: "refused" }, ({ error }) => rejected(error))
    .with({ kind: "written" }, ({ events, state, revision, position, repeated }) =>
      accepted(reply(events, state, revision), position, revision, repeated),
    )
    .with({ kind: "answered" }, ({ reply: answered, position, revision, repeated }) =>
      accepted(answered, position, revision, repeated),
    )
    .exhaustive();
const accepted = (
  reply: unknown,
  position: Position,
  revision: bigint | undefined,
  repeated: boolean,
): CommandAccepted => ({ ok: true, reply, position, revision, repeated });
const rejected = (error: DomainError): CommandRejected => ({ ok: false, error });

/** A stored event as the decider's event. */
const asEvent = <Event>(recorded: RecordedEvent): Event =>
  ({ type: recorded.type, data: recorded.data }) as Event;

const knownCommands = [
  ...Object.keys(campaignCommands),
  ...Object.keys(directoryCommands),
  ...Object.keys(exclusionCommands),
].join(", ");

/** Commands whose decision reads the client's exclusion list. */
const needsExclusions: ReadonlySet<CampaignCommand["type"]> = new Set([
  "CreateCampaign",
  "UpdateCampaign",
  "AddPhoneNumbers",
  "ClaimDueAttempts",
]);
