import { describe, expect, it } from "vitest";
import {
  after,
  command,
  created,
  recordOutcome,
  seedWith,
  spec,
} from "../../support/decider-specification.js";
import { afterClaim, claim, claimAt, claimed } from "./support.js";

// Seed campaign: 2030-10-01 and runover 2030-10-02, 09:00-12:00 Europe/London (08:00Z-11:00Z);
// intervals 15, 60, 120.
const BEN = "+447722123456";
const DAVE = "+447722734716";
const OPEN = "2030-10-01T08:30:00.000Z";
const campaign = created(seedWith({ smsOnBusy: 0 }));
const noAnswer = (number: string, attemptNumber: number, occurredAt: string) =>
  recordOutcome({ number, attemptNumber, outcome: 6, occurredAt });

describe("claim-due-attempts", () => {
  it("hands out the attempts due now, each held until now + claimSeconds, and records the claim", () => {
    spec
      .with({ now: OPEN })
      .given(campaign)
      .when(claim(10, 120))
      .then([
        {
          type: "AttemptsClaimed",
          data: {
            claimedAt: OPEN,
            claimedUntil: "2030-10-01T08:32:00.000Z",
            claims: [
              { e164: BEN, attemptNumber: 1, dueAt: "2030-10-01T08:00:00.000Z" },
              { e164: DAVE, attemptNumber: 1, dueAt: "2030-10-01T08:00:00.000Z" },
            ],
          },
        },
      ]);
  });

  it("hands out oldest due first, at most `limit`", () => {
    // Ben's retry fell due at 08:15Z; Dave's first attempt at 08:00Z.
    const log = after(campaign, noAnswer("07722123456", 1, "2030-10-01T08:00:00.000Z"));
    expect(claimed(claimAt(log, OPEN, 1).events())).toEqual([DAVE]);
    expect(claimed(claimAt(log, OPEN, 2).events())).toEqual([DAVE, BEN]);
  });

  it("hands out nothing on a paused campaign", () => {
    const paused = after(campaign, command("pause-campaign"));
    claimAt(paused, OPEN).thenNothingHappens();
    expect(claimed(claimAt(after(paused, command("resume-campaign")), OPEN).events())).toEqual([
      BEN,
      DAVE,
    ]);
  });

  it("hands out nothing outside the calling windows", () => {
    claimAt(campaign, "2030-10-01T07:59:00.000Z").thenNothingHappens();
    claimAt(campaign, "2030-10-01T11:00:00.000Z").thenNothingHappens();
    claimAt(campaign, "2030-10-03T08:30:00.000Z").thenNothingHappens();
    expect(claimed(claimAt(campaign, "2030-10-02T10:59:00.000Z").events())).toEqual([BEN, DAVE]);
  });

  it("never hands out a retry before it is due", () => {
    const log = after(campaign, noAnswer("07722123456", 1, "2030-10-01T08:20:00.000Z")); // due 08:35Z
    expect(claimed(claimAt(log, "2030-10-01T08:34:00.000Z").events())).toEqual([DAVE]);
    expect(claimed(claimAt(log, "2030-10-01T08:35:00.000Z").events())).toEqual([DAVE, BEN]);
  });

  it("never hands out a claimed attempt again while the claim holds; after claimedUntil another caller gets it", () => {
    const held = afterClaim(campaign, OPEN, 1, 60); // Ben, until 08:31Z
    expect(claimed(claimAt(held, "2030-10-01T08:30:30.000Z").events())).toEqual([DAVE]);
    claimAt(
      afterClaim(held, "2030-10-01T08:30:30.000Z"),
      "2030-10-01T08:30:59.000Z",
    ).thenNothingHappens();
    // A lapsed claim puts the attempt back as due at its claimedUntil.
    expect(claimed(claimAt(held, "2030-10-01T08:31:00.000Z").events())).toEqual([DAVE, BEN]);
  });

  it("accepts an outcome for an attempt someone else claimed, and that ends the claim", () => {
    const held = afterClaim(campaign, OPEN, 1, 3600); // Ben, for an hour
    const log = after(held, noAnswer("07722123456", 1, "2030-10-01T08:31:00.000Z")); // retry due 08:46Z
    expect(claimed(claimAt(log, "2030-10-01T08:46:00.000Z").events())).toEqual([DAVE, BEN]);
  });

  it("records an outcome without any claim", () => {
    spec
      .given(campaign)
      .when(noAnswer("07722734716", 1, OPEN))
      .thenMatches([{ type: "AttemptOutcomeRecorded" }]);
  });

  it("release-claims hands the attempts back at once; releasing what is not held changes nothing", () => {
    const held = afterClaim(campaign, OPEN, 2);
    const release = command("release-claims", { numbers: ["07722123456", "07700900000"] });
    spec
      .with({ now: "2030-10-01T08:31:00.000Z" })
      .given(held)
      .when(release)
      .then([{ type: "ClaimsReleased", data: { numbers: [BEN] } }]);
    const released = [
      ...held,
      ...spec.with({ now: "2030-10-01T08:31:00.000Z" }).given(held).when(release).events(),
    ];
    expect(claimed(claimAt(released, "2030-10-01T08:31:00.000Z").events())).toEqual([BEN]);
    spec
      .with({ now: "2030-10-01T08:31:00.000Z" })
      .given(released)
      .when(release)
      .thenNothingHappens();
  });

  it("never hands out a completed number", () => {
    const log = after(
      campaign,
      recordOutcome({
        number: "07722123456",
        attemptNumber: 1,
        outcome: 1,
        occurredAt: "2030-10-01T08:10:00.000Z",
      }),
    );
    expect(claimed(claimAt(log, OPEN).events())).toEqual([DAVE]);
  });

  it("refuses a limit outside 1..1000 and a claim of under 30 s (400)", () => {
    spec
      .given(campaign)
      .when(claim(0))
      .thenFails("invalid_request", [{ field: "limit" }]);
    spec
      .given(campaign)
      .when(claim(1001))
      .thenFails("invalid_request", [{ field: "limit" }]);
    spec
      .given(campaign)
      .when(claim(1, 29))
      .thenFails("invalid_request", [{ field: "claimSeconds" }]);
  });

  it("is another client's campaign: 404", () => {
    spec
      .given(campaign)
      .when(command("claim-due-attempts", { limit: 1 }, "client-b"))
      .thenFails("not_found");
  });
});
