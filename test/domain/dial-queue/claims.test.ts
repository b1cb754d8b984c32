import { describe, expect, it } from "vitest";
import type { CampaignCommand, CampaignEvent, DomainError } from "../../../src/domain/index.js";
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
              { e164: BEN, attemptNumber: 1, dueAt: "2030-10-01T08:00:00.000Z", claimId: "1-0" },
              { e164: DAVE, attemptNumber: 1, dueAt: "2030-10-01T08:00:00.000Z", claimId: "1-1" },
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
      .then([{ type: "ClaimsReleased", data: { numbers: [BEN], notHeld: ["07700900000"] } }]);
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

describe("claim identity", () => {
  /** The log after `commands`, each decided at its own moment. */
  const at = (
    log: readonly CampaignEvent[],
    now: string,
    next: CampaignCommand | DomainError,
  ): readonly CampaignEvent[] => [...log, ...spec.with({ now }).given(log).when(next).events()];
  const claimIdsIn = (events: readonly CampaignEvent[]) =>
    events.flatMap((e) =>
      e.type === "AttemptsClaimed" ? e.data.claims.map((c) => c.claimId) : [],
    );

  it("gives every claim its own id, never the same twice in a campaign", () => {
    const first = afterClaim(campaign, OPEN, 1, 60); // Ben
    const second = afterClaim(first, "2030-10-01T08:30:10.000Z", 1, 60); // Dave
    const third = afterClaim(second, "2030-10-01T08:31:00.000Z", 2, 60); // Ben again, lapsed
    expect(claimIdsIn(third)).toEqual(["1-0", "2-0", "3-0"]);
  });

  it("a late release by a caller whose claim lapsed and went to another caller ends nothing: notHeld", () => {
    // X claims Ben until 08:31Z; the claim lapses; Y claims Dave and Ben at 08:32Z.
    const x = afterClaim(campaign, OPEN, 1, 60);
    const xClaim = claimIdsIn(x)[0]!;
    const y = afterClaim(x, "2030-10-01T08:32:00.000Z", 2, 600);
    const yClaim = claimIdsIn(y)[2]!;
    expect(claimed(y.slice(x.length))).toEqual([DAVE, BEN]);
    // X's late release names its own claim: nothing is released.
    const lateRelease = command("release-claims", {
      claims: [{ number: "07722123456", claimId: xClaim }],
    });
    spec.with({ now: "2030-10-01T08:33:00.000Z" }).given(y).when(lateRelease).thenNothingHappens();
    // So Ben is not handed to a third caller while Y dials him.
    claimAt(y, "2030-10-01T08:33:00.000Z").thenNothingHappens();
    // Y's release of its own claim ends it.
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(y)
      .when(command("release-claims", { claims: [{ number: "+447722123456", claimId: yClaim }] }))
      .then([{ type: "ClaimsReleased", data: { numbers: [BEN] } }]);
  });

  it("the older numbers form is an operator's override: it ends whatever live claim the number has", () => {
    // Y holds Ben (X's lapsed); Dave is held by no one.
    const y = afterClaim(afterClaim(campaign, OPEN, 2, 60), "2030-10-01T08:32:00.000Z", 1, 600);
    expect(claimed(y.slice(-1))).toEqual([BEN]);
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(y)
      .when(command("release-claims", { numbers: ["07722123456", "07722734716"] }))
      .then([{ type: "ClaimsReleased", data: { numbers: [BEN], notHeld: ["07722734716"] } }]);
  });

  it("a release names claims or numbers, one of the two (400)", () => {
    spec
      .given(campaign)
      .when(command("release-claims", {}))
      .thenFails("invalid_request", [{ field: "claims" }]);
    spec
      .given(campaign)
      .when(
        command("release-claims", {
          numbers: ["07722123456"],
          claims: [{ number: "07722123456", claimId: "1-0" }],
        }),
      )
      .thenFails("invalid_request", [{ field: "claims" }]);
    spec
      .given(campaign)
      .when(command("release-claims", { claims: [{ number: "07722123456" }] }))
      .thenFails("invalid_request", [{ field: "claims.0.claimId" }]);
  });

  it("an outcome named with its claim is recorded; one whose claim lapsed says claimWasNotHeld", () => {
    const x = afterClaim(campaign, OPEN, 1, 60); // Ben, until 08:31Z
    const claimId = claimIdsIn(x)[0]!;
    const outcome = (now: string) =>
      spec
        .with({ now })
        .given(x)
        .when(
          command("record-attempt-outcome", {
            number: "07722123456",
            attemptNumber: 1,
            outcome: 6,
            occurredAt: "2030-10-01T08:30:40Z",
            claimId,
          }),
        )
        .events()[0];
    expect(outcome("2030-10-01T08:30:50.000Z")).toMatchObject({
      type: "AttemptOutcomeRecorded",
      data: { claimId },
    });
    expect(outcome("2030-10-01T08:30:50.000Z")!.data).not.toHaveProperty("claimWasNotHeld");
    expect(outcome("2030-10-01T08:31:30.000Z")).toMatchObject({
      type: "AttemptOutcomeRecorded",
      data: { claimId, claimWasNotHeld: true, next: { status: "retry", attemptNumber: 2 } },
    });
  });

  it("the outcome of a call under a live claim is recorded though the number was excluded mid-call; it stays excluded", () => {
    const x = afterClaim(campaign, OPEN, 1, 600); // Ben
    const claimId = claimIdsIn(x)[0]!;
    const excluded = at(
      x,
      "2030-10-01T08:31:00.000Z",
      command("add-exclusions", { numbers: [{ number: "07722123456", reason: "complaint" }] }),
    );
    expect(excluded.at(-1)).toEqual({
      type: "NumbersExcluded",
      data: { list: "campaign", numbers: [BEN] },
    });
    const report = {
      number: "07722123456",
      attemptNumber: 1,
      outcome: 1,
      occurredAt: "2030-10-01T08:32:00Z",
    };
    // Without its claim, an outcome for a completed number is refused as before.
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(excluded)
      .when(command("record-attempt-outcome", report))
      .thenFails("conflict", [{ field: "number" }]);
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(excluded)
      .when(command("record-attempt-outcome", { ...report, claimId }))
      .then([
        {
          type: "AttemptOutcomeRecorded",
          data: {
            e164: BEN,
            attemptNumber: 1,
            outcome: 1,
            outcomeName: "Answered",
            occurredAt: "2030-10-01T08:32:00.000Z",
            next: { status: "completed", result: "excluded" },
            claimId,
          },
        },
      ]);
    // Another claim's id, or a later attempt, is still refused.
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(excluded)
      .when(command("record-attempt-outcome", { ...report, claimId: "9-9" }))
      .thenFails("conflict");
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(excluded)
      .when(command("record-attempt-outcome", { ...report, attemptNumber: 2, claimId }))
      .thenFails("conflict");
  });

  it("a stage reached in a call on a number excluded mid-call is recorded, and an opt-out in it opts the number out", () => {
    const x = afterClaim(campaign, OPEN, 1, 600); // Ben
    const excluded = at(
      x,
      "2030-10-01T08:31:00.000Z",
      command("add-exclusions", { numbers: [{ number: "07722123456" }] }),
    );
    spec
      .with({ now: "2030-10-01T08:33:00.000Z" })
      .given(excluded)
      .when(
        command("record-stage-reached", {
          number: "07722123456",
          attemptNumber: 1,
          stage: 14,
          occurredAt: "2030-10-01T08:32:00Z",
        }),
      )
      .thenMatches([
        { type: "StageReached", data: { e164: BEN, stage: 14 } },
        { type: "NumberOptedOut", data: { e164: BEN, attemptNumber: 1 } },
      ]);
  });
});
