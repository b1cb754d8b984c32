/**
 * Two instances of the write side (two command handlers, each with its own
 * stream cache and its own connection to one store) taking turns at random
 * on one campaign and the client's exclusion list, and a model of what the
 * acknowledged commands did, to compare with what the store holds.
 */
import { expect } from "vitest";
import { CommandHandler, type CommandResult } from "../../src/app/command-handler.js";
import type { EventStore } from "../../src/ports/event-store.js";
import {
  type ExclusionEntry,
  type ExclusionListEvent,
  campaignDecider,
  campaignStreamId,
  clientExclusionsDecider,
  clientExclusionsStreamId,
  decodeCampaignEvent,
  fold,
  inForce,
  replayCampaign,
} from "../../src/domain/index.js";
import { collect } from "../adapters/event-store/contract.js";
import { seedBody } from "./decider-specification.js";

/** Inside the seed's first window (09:00-12:00 London = 08:00-11:00Z). */
export const NOW = new Date("2030-10-01T08:30:00Z");

export const handlerOn = (store: EventStore) =>
  new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => NOW,
  });

/** The campaign's numbers (national form) and their E.164. */
const mobile = (i: number) => `07722${String(i).padStart(6, "0")}`;
export const e164Of = (national: string) => `+44${national.slice(1)}`;
/** Numbers for the exclusion lists only, never in the campaign (so lists and claims stay apart). */
const excludable = (i: number) => `07723${String(i).padStart(6, "0")}`;

export type Command =
  | { kind: "pause" }
  | { kind: "resume" }
  | { kind: "claim"; limit: number }
  | { kind: "release"; number: number }
  | { kind: "exclude"; list: "client" | "campaign"; number: number }
  | { kind: "unexclude"; list: "client" | "campaign"; number: number };

export type Model = {
  status: "active" | "paused";
  claimed: Set<string>;
  client: Set<string>;
  campaign: Set<string>;
};

export type Run = {
  readonly clientId: string;
  readonly id: string;
  readonly numbers: readonly string[];
  readonly model: Model;
};

/** Creates the campaign through `first` and warms both instances' caches (campaign and client list). */
export async function startRun(
  instances: readonly CommandHandler[],
  id: string,
  clientId = "acme",
  numbers = 12,
): Promise<Run> {
  const [first] = instances;
  for (const request of [
    { name: "register-call-flow", body: { callFlowId: 1, name: "Main" } },
    { name: "register-cli", body: { cliId: 1, number: "01632960001" } },
  ])
    await first!.handle({ clientId, ...request });
  const phoneNumbers = Array.from({ length: numbers }, (_, i) => ({ number: mobile(i) }));
  const created = await first!.handle({
    name: "create-campaign",
    clientId,
    body: { ...seedBody(), id, smsOnBusy: 0, phoneNumbers },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  for (const instance of instances) {
    await instance.dialQueue(clientId, id);
    await instance.exclusionList(clientId, undefined);
  }
  return {
    clientId,
    id,
    numbers: phoneNumbers.map((n) => n.number),
    model: { status: "active", claimed: new Set(), client: new Set(), campaign: new Set() },
  };
}

export const requestOf = (run: Run, command: Command): { name: string; body: unknown } => {
  const campaignId = command.kind === "exclude" || command.kind === "unexclude";
  const list = campaignId && command.list === "campaign" ? { campaignId: run.id } : ({} as object);
  switch (command.kind) {
    case "pause":
      return { name: "pause-campaign", body: { id: run.id } };
    case "resume":
      return { name: "resume-campaign", body: { id: run.id } };
    case "claim":
      return { name: "claim-due-attempts", body: { id: run.id, limit: command.limit } };
    case "release":
      return {
        name: "release-claims",
        body: { id: run.id, numbers: [run.numbers[command.number % run.numbers.length]] },
      };
    case "exclude":
      return {
        name: "add-exclusions",
        body: { ...list, numbers: [{ number: excludable(command.number) }] },
      };
    case "unexclude":
      return {
        name: "remove-exclusions",
        body: { ...list, numbers: [excludable(command.number)] },
      };
  }
};

/**
 * Sends one command to `instance`; once acknowledged, checks its reply
 * against the model (a claim gets what the model says is due) and feeds the
 * model. A command not acknowledged leaves the model as it was.
 */
export async function send(
  instance: CommandHandler,
  run: Run,
  command: Command,
  commandId?: string,
): Promise<CommandResult> {
  const result = await instance.handle({
    clientId: run.clientId,
    ...requestOf(run, command),
    ...(commandId === undefined ? {} : { commandId }),
  });
  if (result.ok) feed(run, command, result.reply);
  return result;
}

function feed(run: Run, command: Command, reply: unknown): void {
  const { model } = run;
  switch (command.kind) {
    case "pause":
      model.status = "paused";
      break;
    case "resume":
      model.status = "active";
      break;
    case "claim": {
      const claims = (reply as { claims: { e164: string }[] }).claims.map((c) => c.e164);
      const free = run.numbers.length - model.claimed.size;
      expect(claims.length, "numbers claimed").toBe(
        model.status === "paused" ? 0 : Math.min(command.limit, free),
      );
      for (const e164 of claims) {
        expect(model.claimed.has(e164), `${e164} handed out twice`).toBe(false);
        model.claimed.add(e164);
      }
      break;
    }
    case "release":
      model.claimed.delete(e164Of(run.numbers[command.number % run.numbers.length]!));
      break;
    case "exclude":
      model[command.list].add(e164Of(excludable(command.number)));
      break;
    case "unexclude":
      model[command.list].delete(e164Of(excludable(command.number)));
      break;
  }
}

/**
 * What the store holds, read through `store` and folded by the test (no
 * stream cache): each read takes the events appended since the last one.
 */
export function storeReader(store: EventStore, run: Run): () => Promise<Model> {
  const now = NOW.toISOString();
  let campaign = campaignDecider.initialState();
  let campaignRead = 0n;
  let list = clientExclusionsDecider.initialState();
  let listRead = 0n;
  return async () => {
    const campaignEvents = await collect(
      store.read(campaignStreamId(run.id), { from: campaignRead }),
    );
    campaignRead += BigInt(campaignEvents.length);
    campaign = replayCampaign(campaign, campaignEvents.map(decodeCampaignEvent));
    const listEvents = await collect(
      store.read(clientExclusionsStreamId(run.clientId), { from: listRead }),
    );
    listRead += BigInt(listEvents.length);
    list = fold(
      clientExclusionsDecider.evolve,
      list,
      listEvents.map((event) => decodeCampaignEvent(event) as ExclusionListEvent),
    );
    if (campaign.status !== "active" && campaign.status !== "paused")
      throw new Error(`campaign ${run.id} is ${campaign.status}`);
    const inForceOf = (entries: Iterable<ExclusionEntry>) =>
      new Set([...entries].filter((entry) => inForce(entry, now)).map((e) => e.e164));
    return {
      status: campaign.status,
      claimed: new Set(
        [...campaign.numbers.entries()]
          .filter(([, progress]) => (progress.claimedUntil ?? 0) > NOW.getTime())
          .map(([e164]) => e164),
      ),
      client: inForceOf(list.entries.values()),
      campaign: inForceOf(campaign.exclusions.values()),
    };
  };
}

/** The model as plain sorted values, for an equality that names what differs. */
export const plain = (model: Model) => ({
  status: model.status,
  claimed: [...model.claimed].sort(),
  client: [...model.client].sort(),
  campaign: [...model.campaign].sort(),
});

/** A small seeded generator (mulberry32), so that a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random command, weighted so that state flips often between the two instances. */
export function randomCommand(random: () => number, numbers: number): Command {
  const pick = (n: number) => Math.floor(random() * n);
  const list = random() < 0.5 ? "client" : "campaign";
  switch (pick(6)) {
    case 0:
      return { kind: "pause" };
    case 1:
      return { kind: "resume" };
    case 2:
      return { kind: "claim", limit: 1 + pick(3) };
    case 3:
      return { kind: "release", number: pick(numbers) };
    case 4:
      return { kind: "exclude", list, number: pick(4) };
    default:
      return { kind: "unexclude", list, number: pick(4) };
  }
}
