/**
 * Genuine campaign event logs for the benchmarks: every event is decided by
 * the real decider, then appended in large batches straight to a store (the
 * benchmarks measure what reads or follows the log, not how it was written).
 */
import { randomUUID } from "node:crypto";
import type { EventStore, NewEvent } from "../src/ports/event-store.js";
import {
  type CampaignCommand,
  type CampaignContext,
  type CampaignEvent,
  type CampaignState,
  campaignDecider,
  campaignStreamId,
  isDomainError,
  emptyClientExclusions,
} from "../src/domain/index.js";
import { campaignBody, mobile } from "./fixtures.js";

const START = Date.parse("2030-10-01T08:00:00Z");
const baseContext: Omit<CampaignContext, "now"> = {
  defaultRegion: "GB",
  defaultTimeZone: "Europe/London",
  callFlowIds: new Set([1]),
  cliIds: new Set([1]),
  clientExclusions: emptyClientExclusions(),
};

/** One campaign's life: create with `numbers` numbers (in commands of 10,000), then `attempts` rounds of outcomes with two stages each. */
export function* campaignLog(
  campaignId: string,
  clientId: string,
  numbers: number,
  attempts: 1 | 2 | 3,
  offset = 0,
): Generator<CampaignEvent[]> {
  let state: CampaignState = campaignDecider.initialState();
  const decide = (type: string, data: Record<string, unknown>, now: number) => {
    const command = {
      type,
      clientId,
      campaignId,
      data: { id: campaignId, ...data },
    } as unknown as CampaignCommand;
    const events = campaignDecider.decide(command, state, {
      ...baseContext,
      now: new Date(now).toISOString(),
    });
    if (isDomainError(events)) throw new Error(`${events.code}: ${events.message}`);
    for (const event of events) state = campaignDecider.evolve(state, event);
    return [...events];
  };
  for (let from = 0; from < numbers; from += 10_000) {
    const body = campaignBody(Math.min(10_000, numbers - from), offset + from);
    yield from === 0
      ? decide("CreateCampaign", { ...body, ignoreInvalidPhoneNumbers: false }, START)
      : decide(
          "AddPhoneNumbers",
          { phoneNumbers: body.phoneNumbers, ignoreInvalidPhoneNumbers: false },
          START,
        );
  }
  // Outcomes NoAnswer, NoAnswer, Answered at 0, 20 and 90 minutes: each a retry inside the day's
  // window.
  const rounds = [
    [6, 0],
    [6, 20],
    [1, 90],
  ] as const;
  for (let round = 0; round < attempts; round++) {
    const [outcome, minute] = rounds[round]!;
    const at = START + minute * 60_000;
    const occurredAt = new Date(at).toISOString();
    let batch: CampaignEvent[] = [];
    for (let i = 0; i < numbers; i++) {
      const number = mobile(offset + i);
      batch.push(
        ...decide(
          "RecordStageReached",
          { number, attemptNumber: round + 1, stage: 1, occurredAt },
          at,
        ),
      );
      batch.push(
        ...decide(
          "RecordAttemptOutcome",
          { number, attemptNumber: round + 1, outcome, occurredAt },
          at,
        ),
      );
      if (batch.length >= 2000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

export const toNewEvents = (events: readonly CampaignEvent[], clientId: string): NewEvent[] =>
  events.map((event) => ({
    eventId: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: { clientId, commandId: randomUUID() },
  }));

/** Appends logs to the store, interleaving `concurrent` campaigns at a time as a busy dialler would. */
export async function writeLogs(
  store: EventStore,
  logs: { campaignId: string; clientId: string; batches: Generator<CampaignEvent[]> }[],
  concurrent: number,
): Promise<number> {
  let written = 0;
  for (let group = 0; group < logs.length; group += concurrent) {
    const running = logs.slice(group, group + concurrent);
    let active = running.length;
    while (active > 0) {
      active = 0;
      for (const log of running) {
        const next = log.batches.next();
        if (next.done) continue;
        active++;
        await store.append(
          campaignStreamId(log.campaignId),
          toNewEvents(next.value, log.clientId),
          "any",
        );
        written += next.value.length;
      }
    }
  }
  return written;
}
