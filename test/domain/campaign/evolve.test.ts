import { describe, expect, it } from "vitest";
import {
  type CampaignEvent,
  type CampaignState,
  campaignDecider,
  fold,
  replayCampaign,
} from "../../../src/domain/index.js";
import {
  after,
  command,
  created,
  recordOutcome,
  recordStage,
  seedWith,
} from "../../support/decider-specification.js";

const BEN = "07722123456";
const stateOf = (events: readonly CampaignEvent[]) =>
  fold(campaignDecider.evolve, campaignDecider.initialState(), events);
const plain = (state: CampaignState) =>
  state.status === "absent" ? state : { ...state, numbers: state.numbers.toJS() };

const history = after(
  created(),
  recordOutcome({
    number: BEN,
    attemptNumber: 1,
    outcome: 6,
    occurredAt: "2030-10-01T08:30:00.000Z",
  }),
  command("add-phone-numbers", { phoneNumbers: [{ number: "07722000001" }] }),
  recordStage({
    number: "07722734716",
    attemptNumber: 1,
    stage: 14,
    occurredAt: "2030-10-01T08:40:00.000Z",
  }),
  command("pause-campaign"),
  command(
    "update-campaign",
    seedWith({
      name: "Renamed",
      phoneNumbers: [{ number: BEN }, { number: "07722734716" }, { number: "07722000002" }],
    }),
  ),
);

describe("evolve", () => {
  it("starts from no campaign", () => {
    expect(campaignDecider.initialState()).toEqual({ status: "absent" });
  });

  it("folds a history into the state the next decisions rely on", () => {
    const state = stateOf(history);
    if (state.status === "absent") throw new Error("expected a campaign");
    expect({
      status: state.status,
      name: state.settings.name,
      windows: state.windows.map((w) => [w.date, new Date(w.opensAt).toISOString()]),
    }).toEqual({
      status: "paused",
      name: "Renamed",
      windows: [
        ["2030-10-01", "2030-10-01T08:00:00.000Z"],
        ["2030-10-02", "2030-10-02T08:00:00.000Z"],
      ],
    });
    expect(
      Object.fromEntries([...state.numbers].map(([e164, progress]) => [e164, progress.next])),
    ).toEqual({
      "+447722123456": {
        status: "retry",
        attemptNumber: 2,
        dueAt: "2030-10-01T08:45:00.000Z",
        leaveMessage: false,
      },
      "+447722734716": { status: "completed", result: "opted_out" },
      "+447722000002": { status: "pending", attemptNumber: 1, leaveMessage: false },
    });
  });

  it("replays a history in one run (as the store's reader does) to the same state as folding it event by event", () => {
    expect(plain(replayCampaign(campaignDecider.initialState(), history))).toEqual(
      plain(stateOf(history)),
    );
    const [first, ...rest] = [history.slice(0, 3), history.slice(3)];
    expect(
      plain(replayCampaign(replayCampaign(campaignDecider.initialState(), first!), rest.flat())),
    ).toEqual(plain(stateOf(history)));
  });

  it("never changes the state it is given", () => {
    const before = stateOf(history.slice(0, 2));
    const snapshot = plain(before);
    for (const event of history.slice(2)) campaignDecider.evolve(before, event);
    replayCampaign(before, history.slice(2));
    expect(plain(before)).toEqual(snapshot);
  });

  it("marks a deleted campaign deleted", () => {
    expect(stateOf(after(created(), command("delete-campaign"))).status).toBe("deleted");
  });
});
