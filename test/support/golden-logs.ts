/**
 * Deterministic campaign logs for the read models' golden test: the same
 * events at the same positions on every run.
 *
 * - The seed's campaigns, commanded through the real command handler at a
 *   fixed clock: every command and event type (numbers added, duplicates and
 *   invalid ones ignored, attempts, stages, SMS, an opt-out, claims and a
 *   release, campaign and client exclusions, an update that reorders, drops
 *   and re-plans numbers, a pause and resume, a delete), for two clients.
 * - A 100,000-number campaign (ten adds of 10,000), one attempt and a stage
 *   for every seventh number.
 * - A campaign of 1,000 numbers with 20 attempts each (stages, SMS on busy,
 *   numbers answered along the way).
 *
 * The two large ones are decided by the real decider and appended straight to
 * the store, as bench/generate.ts does.
 */
import {
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  campaignDecider,
  campaignStreamId,
  encodeCampaignEvent,
  isDomainError,
} from "../../src/domain/index.js";
import { CommandHandler } from "../../src/app/command-handler.js";
import type { EventStore } from "../../src/ports/event-store.js";
import { seedContext, seedPostBody } from "./seed.js";

const START = Date.parse("2030-10-01T08:00:00Z"); // 09:00 in London (BST)
const at = (minutes: number) => new Date(START + minutes * 60_000).toISOString();

export const mobile = (i: number): string => `077${String(10_000_000 + i).padStart(8, "0")}`;

/** The seed's campaigns, through the command handler with its clock at `now`. */
export async function writeSeedCampaigns(store: EventStore): Promise<void> {
  let now = START;
  const handler = new CommandHandler(store, {
    defaultRegion: "GB",
    defaultTimeZone: "Europe/London",
    clock: () => new Date(now),
  });
  let n = 0;
  const send = async (clientId: string, name: string, body: unknown) => {
    const result = await handler.handle({ name, clientId, body, commandId: `golden-${n++}` });
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result;
  };
  for (const clientId of ["acme", "globex"]) {
    await send(clientId, "register-call-flow", { callFlowId: 1, name: "Main" });
    await send(clientId, "register-cli", { cliId: 1, number: "01632960001" });
  }
  const seed = seedPostBody();
  const more = [
    { number: "+44 7722 000001", name: "Cat", parameters: [{ parameter: 2, value: "ref-2" }] },
    { number: "07722000002" },
    { number: "07722000003", name: "Ed" },
    { number: "07722000004", name: "=formula" },
  ];
  // seed-1: the seed's body, as POSTed, with numbers added, a duplicate and an invalid one.
  await send("acme", "create-campaign", { id: "seed-1", ...seed });
  await send("acme", "add-phone-numbers", {
    id: "seed-1",
    phoneNumbers: [...more, { number: "07722123456" }, { number: "12" }],
    ignoreInvalidPhoneNumbers: true,
  });
  const outcome = (id: string, number: string, attemptNumber: number, code: number, m: number) =>
    send(id.startsWith("globex") ? "globex" : "acme", "record-attempt-outcome", {
      id,
      number,
      attemptNumber,
      outcome: code,
      occurredAt: at(m),
    });
  const stage = (id: string, number: string, attemptNumber: number, code: number, m: number) =>
    send("acme", "record-stage-reached", {
      id,
      number,
      attemptNumber,
      stage: code,
      occurredAt: at(m),
    });
  now = START + 30 * 60_000;
  await stage("seed-1", "07722123456", 1, 1, 1);
  await outcome("seed-1", "07722123456", 1, 3, 2); // Busy on attempt 1: an SMS
  await stage("seed-1", "07722734716", 1, 1, 3);
  await stage("seed-1", "07722734716", 1, 5, 3);
  await outcome("seed-1", "07722734716", 1, 1, 4); // Answered
  await outcome("seed-1", "07722000001", 1, 6, 5);
  await stage("seed-1", "07722000002", 1, 14, 6); // OptOut mid-call
  await outcome("seed-1", "07722000002", 1, 1, 7);
  await outcome("seed-1", "07722000003", 1, 13, 8); // InvalidNumber: failed
  now = START + 60 * 60_000;
  await outcome("seed-1", "07722123456", 2, 4, 40);
  await outcome("seed-1", "07722000001", 2, 5, 45); // message left
  await send("acme", "pause-campaign", { id: "seed-1" });
  await send("acme", "resume-campaign", { id: "seed-1" });
  // Claims: due now on the start day, one released, one left claimed.
  now = START + 200 * 60_000;
  await send("acme", "claim-due-attempts", { id: "seed-1", limit: 2, claimSeconds: 600 });
  await send("acme", "release-claims", { id: "seed-1", numbers: ["07722000004"] });
  // Exclusions: the campaign's own list, then the client's (a number in seed-2).
  await send("acme", "add-exclusions", {
    campaignId: "seed-1",
    numbers: [{ number: "07722000004", reason: "asked" }],
  });

  // seed-2: another zone, messages on the last call, SMS on the last call; an update that
  // reorders, drops one number, adds one and re-plans the retries.
  await send("acme", "create-campaign", {
    id: "seed-2",
    ...seed,
    name: "Spring arrears",
    timeZone: "America/New_York",
    answerMachineDetected: 2,
    smsOnBusy: 2,
    phoneNumbers: [...seed.phoneNumbers, ...more.slice(0, 3)],
  });
  now = START + 300 * 60_000;
  await outcome("seed-2", "07722123456", 1, 6, 290);
  await outcome("seed-2", "07722000001", 1, 12, 291);
  await stage("seed-2", "07722000003", 1, 20, 292);
  await send("acme", "add-exclusions", { numbers: [{ number: "07722000003" }] });
  await send("acme", "update-campaign", {
    id: "seed-2",
    ...seed,
    name: "Spring arrears (revised)",
    timeZone: "America/Chicago",
    attempts: [
      { attemptNumber: 1, interval: 30 },
      { attemptNumber: 2, interval: 30 },
    ],
    answerMachineDetected: 1,
    smsOnBusy: 2,
    phoneNumbers: [
      more[0],
      { number: "07722123456", name: "ben", parameters: [{ parameter: 1, value: "again" }] },
      { number: "07722000005", name: "New" },
      more[2],
    ],
  });
  await outcome("seed-2", "07722000001", 2, 3, 296);

  // seed-3: created and deleted (read models drop it; history stays).
  await send("acme", "create-campaign", { id: "seed-3", ...seed });
  await outcome("seed-3", "07722123456", 1, 2, 297);
  await send("acme", "delete-campaign", { id: "seed-3" });

  // globex: the seed's campaign of its own.
  await send("globex", "create-campaign", { id: "globex-1", ...seed });
  await outcome("globex-1", "07722734716", 1, 7, 298);
}

/** Appends the decider's events for each command in turn, as one command's append each. */
class DecidedLog {
  private state: CampaignState = campaignDecider.initialState();
  private pending: CampaignEvent[] = [];
  private appended = 0;

  constructor(
    private readonly store: EventStore,
    private readonly clientId: string,
    private readonly campaignId: string,
  ) {}

  decide(type: string, data: Record<string, unknown>, now: number): void {
    const command = {
      type,
      clientId: this.clientId,
      campaignId: this.campaignId,
      data: { id: this.campaignId, ...data },
    } as unknown as CampaignCommand;
    const events = campaignDecider.decide(command, this.state, {
      ...seedContext(new Date(now).toISOString()),
    });
    if (isDomainError(events)) throw new Error(`${type}: ${events.code} ${events.message}`);
    for (const event of events) this.state = campaignDecider.evolve(this.state, event);
    this.pending.push(...events);
  }

  /** Appends what was decided since the last flush (one append: one page of the log). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const events = this.pending.map((event, i) => {
      const stored = encodeCampaignEvent(event);
      return {
        eventId: `00000000-0000-4000-8000-${String(this.appended + i).padStart(12, "0")}`,
        type: stored.type,
        data: stored.data,
        metadata: { clientId: this.clientId, commandId: `${this.campaignId}-${this.appended + i}` },
      };
    });
    this.appended += events.length;
    this.pending = [];
    await this.store.append(campaignStreamId(this.campaignId), events, "any");
  }
}

const numbersFrom = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    number: mobile(from + i),
    name: `n${from + i}`,
    ...((from + i) % 10 === 0 ? { parameters: [{ parameter: 1, value: `ref-${from + i}` }] } : {}),
  }));

/** The seed's campaign with a long day, holding 100,000 numbers; every seventh attempted once. */
export async function writeLargeCampaign(store: EventStore, id: string): Promise<void> {
  const log = new DecidedLog(store, "acme", id);
  const body = {
    ...seedPostBody(),
    name: "Large campaign",
    finishTime: "17:00",
    ignoreInvalidPhoneNumbers: false,
  };
  for (let from = 0; from < 100_000; from += 10_000) {
    const phoneNumbers = numbersFrom(from, 10_000);
    if (from === 0) log.decide("CreateCampaign", { ...body, phoneNumbers }, START);
    else log.decide("AddPhoneNumbers", { phoneNumbers, ignoreInvalidPhoneNumbers: false }, START);
    await log.flush();
  }
  const outcomes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  for (let i = 0; i < 100_000; i += 7) {
    const occurredAt = at(10 + (i % 300));
    const now = START + (10 + (i % 300)) * 60_000;
    log.decide(
      "RecordStageReached",
      { number: mobile(i), attemptNumber: 1, stage: i % 21, occurredAt },
      now,
    );
    log.decide(
      "RecordAttemptOutcome",
      { number: mobile(i), attemptNumber: 1, outcome: outcomes[i % 13], occurredAt },
      now,
    );
    if (i % 700 === 0) await log.flush();
  }
  await log.flush();
}

/** 1,000 numbers, 20 attempts each (a number answered on its round completes early). */
export async function writeTwentyAttemptCampaign(store: EventStore, id: string): Promise<void> {
  const log = new DecidedLog(store, "acme", id);
  const attempts = Array.from({ length: 20 }, (_, i) => ({ attemptNumber: i + 1, interval: 1 }));
  log.decide(
    "CreateCampaign",
    {
      ...seedPostBody(),
      name: "Twenty attempts",
      finishTime: "17:00",
      attempts,
      smsOnBusy: 1,
      answerMachineDetected: 2,
      phoneNumbers: numbersFrom(500_000, 1_000),
      ignoreInvalidPhoneNumbers: false,
    },
    START,
  );
  await log.flush();
  const retried = [3, 4, 6, 7, 8, 10, 12];
  const done = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const minute = 5 + round * 20;
    const occurredAt = at(minute);
    for (let i = 0; i < 1_000; i++) {
      if (done.has(i)) continue;
      const number = mobile(500_000 + i);
      const answered = i % 50 === round;
      const code = answered ? 1 : round === 19 && i % 3 === 0 ? 5 : retried[(i + round) % 7]!;
      const now = START + minute * 60_000;
      log.decide(
        "RecordStageReached",
        { number, attemptNumber: round + 1, stage: 1, occurredAt },
        now,
      );
      if (i % 4 === 0)
        log.decide(
          "RecordStageReached",
          { number, attemptNumber: round + 1, stage: 2 + (round % 5), occurredAt },
          now,
        );
      log.decide(
        "RecordAttemptOutcome",
        { number, attemptNumber: round + 1, outcome: code, occurredAt },
        now,
      );
      if (answered) done.add(i);
      if (i % 100 === 99) await log.flush();
    }
    await log.flush();
  }
}
