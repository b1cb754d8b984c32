import { describe, expect, it } from "vitest";
import {
  admitExclusions,
  campaignDecider,
  clientExclusionsDecider,
  dialQueue,
  fold,
  isDomainError,
  parseWith,
  AddExclusionsBody,
  RemoveExclusionsBody,
  type ClientExclusions,
} from "../../../src/domain/index.js";
import {
  CLIENT,
  after,
  command,
  created,
  recordStage,
  seedBody,
  seedWith,
  spec,
} from "../../support/decider-specification.js";
import { afterClaim, claimAt, claimed, clientList } from "./support.js";

const BEN = "+447722123456";
const DAVE = "+447722734716";
const OPEN = "2030-10-01T08:30:00.000Z";
const campaign = created(seedWith({ smsOnBusy: 0 }));
const BEN_ON_CLIENT_LIST = clientList([{ number: "07722 123456", reason: "complaint" }]);

describe("exclusions: the campaign's own list", () => {
  it("adds entries and completes the campaign's numbers they cover at once, as excluded", () => {
    spec
      .with({ now: "2030-09-01T00:00:00.000Z" })
      .given(campaign)
      .when(
        command("add-exclusions", {
          campaignId: "camp-1",
          numbers: [{ number: "07722123456", reason: "asked" }, { number: "07700900123" }],
        }),
      )
      .then([
        {
          type: "ExclusionsAdded",
          data: {
            addedAt: "2030-09-01T00:00:00.000Z",
            entries: [
              { number: "07722123456", e164: BEN, reason: "asked" },
              { number: "07700900123", e164: "+447700900123" },
            ],
            alreadyExcluded: 0,
            invalid: [],
          },
        },
        { type: "NumbersExcluded", data: { list: "campaign", numbers: [BEN] } },
      ]);
  });

  it("never hands out an excluded number, and sorts out repeats and invalid numbers", () => {
    const add = command("add-exclusions", {
      campaignId: "camp-1",
      numbers: [{ number: "+447722123456" }, { number: "07722123456" }, { number: "not a number" }],
    });
    const log = after(campaign, add);
    expect(claimed(claimAt(log, OPEN).events())).toEqual([DAVE]);
    spec.with({ now: OPEN }).given(log).when(add).thenNothingHappens();
  });

  it("keeps a number on its list out of numbers added later (add, create or update)", () => {
    const log = after(
      campaign,
      command("add-exclusions", { campaignId: "camp-1", numbers: [{ number: "07722000001" }] }),
    );
    spec
      .given(log)
      .when(
        command("add-phone-numbers", {
          phoneNumbers: [{ number: "07722000001" }, { number: "07722000002" }],
        }),
      )
      .thenMatches([
        { type: "PhoneNumbersAdded", data: { numbers: [{ e164: "+447722000002" }] } },
        {
          type: "ExcludedPhoneNumbersSkipped",
          data: {
            excluded: [
              { index: 0, number: "07722000001", e164: "+447722000001", list: "campaign" },
            ],
          },
        },
      ]);
  });

  it("removes entries: numbers added afterwards are admitted again", () => {
    const log = after(
      campaign,
      command("add-exclusions", { campaignId: "camp-1", numbers: [{ number: "07722000001" }] }),
      command("remove-exclusions", {
        campaignId: "camp-1",
        numbers: ["+447722000001", "07722000009"],
      }),
    );
    expect(log.at(-1)).toEqual({ type: "ExclusionsRemoved", data: { numbers: ["+447722000001"] } });
    spec
      .given(log)
      .when(command("add-phone-numbers", { phoneNumbers: [{ number: "07722000001" }] }))
      .thenMatches([{ type: "PhoneNumbersAdded" }]);
  });
});

/** A new campaign of the seed's numbers, decided with `context`: Ben is kept out by the client's list. */
const expectNewCampaignKeepsBenOut = (context: Parameters<typeof spec.with>[0]) =>
  spec
    .with(context)
    .given([])
    .when(command("create-campaign", seedBody()))
    .thenMatches([
      { type: "CampaignCreated" },
      { type: "PhoneNumbersAdded", data: { numbers: [{ e164: DAVE }] } },
      {
        type: "ExcludedPhoneNumbersSkipped",
        data: { excluded: [{ index: 0, number: "07722123456", e164: BEN, list: "client" }] },
      },
    ]);

describe("exclusions: the client's list", () => {
  it("keeps its numbers out of a new campaign, listed as excluded", () => {
    expectNewCampaignKeepsBenOut({ clientExclusions: BEN_ON_CLIENT_LIST });
  });

  it("refuses a create whose every number is excluded (422)", () => {
    const both = clientList([{ number: "07722123456" }, { number: "07722734716" }]);
    spec
      .with({ clientExclusions: both })
      .given([])
      .when(command("create-campaign", seedBody()))
      .thenFails("rule_violated", [{ reason: "no valid number that is not excluded" }]);
  });

  it("completes a number already in the campaign at its next claim, which hands it out no more", () => {
    claimAt(campaign, OPEN, 10, { clientExclusions: BEN_ON_CLIENT_LIST }).thenMatches([
      { type: "NumbersExcluded", data: { list: "client", numbers: [BEN] } },
      { type: "ClientExclusionsApplied", data: { version: 1 } },
      { type: "AttemptsClaimed", data: { claims: [{ e164: DAVE }] } },
    ]);
  });

  it("looks only at what the list added since the campaign last applied it", () => {
    const applied = [
      ...campaign,
      ...claimAt(campaign, OPEN, 10, { clientExclusions: BEN_ON_CLIENT_LIST }).events(),
    ];
    // Unchanged list, Dave held: nothing to do. Dave joins the list (version 2): only that addition
    // is looked at.
    claimAt(applied, "2030-10-01T08:35:00.000Z", 10, {
      clientExclusions: BEN_ON_CLIENT_LIST,
    }).thenNothingHappens();
    const daveToo = clientList(
      [{ number: "07722734716" }],
      "2030-10-01T08:35:00.000Z",
      BEN_ON_CLIENT_LIST,
    );
    claimAt(applied, "2030-10-01T08:40:00.000Z", 10, { clientExclusions: daveToo }).thenMatches([
      { type: "NumbersExcluded", data: { list: "client", numbers: [DAVE] } },
      { type: "ClientExclusionsApplied", data: { version: 2 } },
    ]);
  });

  it("an entry that has expired is no longer in force: the number is admitted and handed out again", () => {
    const untilSeptember = clientList([
      { number: "07722123456", expiresAt: "2030-09-30T00:00:00Z" },
    ]);
    // While in force: excluded.
    spec
      .with({ now: "2030-09-15T00:00:00.000Z", clientExclusions: untilSeptember })
      .given([])
      .when(command("create-campaign", seedBody()))
      .thenMatches([
        { type: "CampaignCreated" },
        { type: "PhoneNumbersAdded" },
        { type: "ExcludedPhoneNumbersSkipped" },
      ]);
    // After it expired: admitted, and claimed.
    spec
      .with({ now: "2030-09-30T00:00:00.000Z", clientExclusions: untilSeptember })
      .given([])
      .when(command("create-campaign", seedBody()))
      .thenMatches([
        { type: "CampaignCreated" },
        { type: "PhoneNumbersAdded", data: { numbers: [{ e164: BEN }, { e164: DAVE }] } },
      ]);
    claimAt(campaign, OPEN, 10, { clientExclusions: untilSeptember }).thenMatches([
      { type: "ClientExclusionsApplied", data: { version: 1 } },
      { type: "AttemptsClaimed", data: { claims: [{ e164: BEN }, { e164: DAVE }] } },
    ]);
  });

  it("an opted-out number of one campaign is kept out of the client's other campaigns", () => {
    // The app adds an opted-out number to the client's list (reason opt-out); here, the list as it
    // then stands.
    const optedOut = after(
      campaign,
      recordStage({
        number: "07722123456",
        attemptNumber: 1,
        stage: 14,
        occurredAt: "2030-10-01T08:10:00.000Z",
      }),
    );
    expect(optedOut.at(-1)).toMatchObject({ type: "NumberOptedOut", data: { e164: BEN } });
    const list = clientList([{ number: BEN, reason: "opt-out" }], "2030-10-01T08:10:00.000Z");
    const second = created(seedWith({ id: "camp-2", smsOnBusy: 0 }));
    claimAt(second, OPEN, 10, { clientExclusions: list }).thenMatches([
      { type: "NumbersExcluded", data: { numbers: [BEN] } },
      { type: "ClientExclusionsApplied" },
      { type: "AttemptsClaimed", data: { claims: [{ e164: DAVE }] } },
    ]);
  });
});

describe("the client's list (stream exclusions-<client>)", () => {
  const decide = (
    command: { type: "AddExclusions" | "RemoveExclusions"; data: unknown },
    list: ClientExclusions,
    now = "2030-09-01T00:00:00.000Z",
  ) => {
    const schema = command.type === "AddExclusions" ? AddExclusionsBody : RemoveExclusionsBody;
    const data = parseWith(schema, command.data);
    if (isDomainError(data)) return data;
    return clientExclusionsDecider.decide(
      { type: command.type, clientId: CLIENT, data } as never,
      list,
      { now, defaultRegion: "GB" },
    );
  };

  it("adds, counts those already excluded, lists invalid numbers and entries already expired", () => {
    const events = decide(
      {
        type: "AddExclusions",
        data: {
          numbers: [
            { number: "07722123456" },
            { number: "07722000001" },
            { number: "x" },
            { number: "07722000002", expiresAt: "2030-08-01T00:00:00Z" },
          ],
        },
      },
      BEN_ON_CLIENT_LIST,
    );
    expect(events).toEqual([
      {
        type: "ExclusionsAdded",
        data: {
          addedAt: "2030-09-01T00:00:00.000Z",
          entries: [{ number: "07722000001", e164: "+447722000001" }],
          alreadyExcluded: 1,
          invalid: [
            { index: 2, number: "x", reason: "not a phone number" },
            { index: 3, number: "07722000002", reason: "expiresAt is not in the future" },
          ],
        },
      },
    ]);
  });

  it("removes only numbers on the list", () => {
    expect(
      decide(
        { type: "RemoveExclusions", data: { numbers: ["+447722123456", "07722000009"] } },
        BEN_ON_CLIENT_LIST,
      ),
    ).toEqual([{ type: "ExclusionsRemoved", data: { numbers: [BEN] } }]);
    const removed = fold(clientExclusionsDecider.evolve, BEN_ON_CLIENT_LIST, [
      { type: "ExclusionsRemoved", data: { numbers: [BEN] } },
    ]);
    expect(removed.entries.size).toBe(0);
    expect(
      decide({ type: "RemoveExclusions", data: { numbers: ["+447722123456"] } }, removed),
    ).toEqual([]);
  });

  it("takes at most 10,000 numbers a command (400)", () => {
    const numbers = Array.from({ length: 10_001 }, (_, i) => ({
      number: `07722${String(i).padStart(6, "0")}`,
    }));
    expect(decide({ type: "AddExclusions", data: { numbers } }, BEN_ON_CLIENT_LIST)).toMatchObject({
      code: "invalid_request",
    });
  });

  it("a claim after a claim: the held attempt of an excluded number is dropped with it", () => {
    const held = afterClaim(campaign, OPEN, 1);
    claimAt(held, "2030-10-01T08:31:00.000Z", 10, {
      clientExclusions: BEN_ON_CLIENT_LIST,
    }).thenMatches([
      { type: "NumbersExcluded", data: { numbers: [BEN] } },
      { type: "ClientExclusionsApplied" },
      { type: "AttemptsClaimed", data: { claims: [{ e164: DAVE }] } },
    ]);
  });
});

describe("exclusion entries by strength", () => {
  const SOON = "2030-10-01T08:30:05.000Z";
  const entryOf = (list: ClientExclusions, e164 = BEN) => list.entries.get(e164);

  it("an opt-out replaces a temporary entry, and stays in force after that entry would have expired", () => {
    const callBackLater = clientList(
      [{ number: BEN, reason: "call back later", expiresAt: SOON }],
      OPEN,
    );
    const optedOut = clientList(
      [{ number: BEN, reason: "opt-out" }],
      "2030-10-01T08:30:01.000Z",
      callBackLater,
    );
    expect(entryOf(optedOut)).toMatchObject({ reason: "opt-out" });
    expect(entryOf(optedOut)).not.toHaveProperty("expiresAt");
    // After the temporary entry's expiry, a new campaign still keeps the number out.
    expectNewCampaignKeepsBenOut({ now: "2030-10-01T09:00:00.000Z", clientExclusions: optedOut });
  });

  it("a permanent entry replaces a temporary one; a temporary one added to a permanent one changes nothing", () => {
    const temporary = clientList([{ number: BEN, expiresAt: SOON }], OPEN);
    const permanent = clientList(
      [{ number: "07722 123456", reason: "complaint" }],
      OPEN,
      temporary,
    );
    expect(entryOf(permanent)).toEqual({
      number: "07722 123456",
      e164: BEN,
      reason: "complaint",
      addedAt: OPEN,
    });
    expect(
      clientExclusionsDecider.decide(
        {
          type: "AddExclusions",
          clientId: CLIENT,
          data: parseWith(AddExclusionsBody, {
            numbers: [{ number: BEN, expiresAt: "2031-01-01T00:00:00Z" }],
          }) as never,
        },
        permanent,
        { now: OPEN, defaultRegion: "GB" },
      ),
    ).toEqual([]);
  });

  it("orders entries: opt-out, then no expiry, then the later expiry; weaker or equal ones are already excluded", () => {
    const list = clientList([{ number: BEN, expiresAt: "2030-11-01T00:00:00Z" }], OPEN);
    const decide = (numbers: object[]) => {
      const data = parseWith(AddExclusionsBody, { numbers });
      if (isDomainError(data)) throw new Error(data.message);
      return clientExclusionsDecider.decide(
        { type: "AddExclusions", clientId: CLIENT, data },
        list,
        {
          now: OPEN,
          defaultRegion: "GB",
        },
      );
    };
    expect(decide([{ number: BEN, expiresAt: "2030-10-15T00:00:00Z" }])).toEqual([]);
    expect(decide([{ number: BEN, expiresAt: "2030-11-01T00:00:00Z" }])).toEqual([]);
    expect(decide([{ number: BEN, expiresAt: "2030-12-01T00:00:00Z" }])).toMatchObject([
      {
        data: {
          entries: [{ e164: BEN, expiresAt: "2030-12-01T00:00:00.000Z" }],
          alreadyExcluded: 0,
        },
      },
    ]);
    // Within one command, the strongest of a number's entries is the one added.
    expect(
      decide([
        { number: BEN, expiresAt: "2030-12-01T00:00:00Z" },
        { number: "07722123456", reason: "opt-out" },
        { number: BEN, reason: "complaint" },
      ]),
    ).toMatchObject([
      {
        data: {
          entries: [{ number: "07722123456", e164: BEN, reason: "opt-out" }],
          alreadyExcluded: 2,
        },
      },
    ]);
    // An opt-out is for good: one with an expiry is invalid.
    expect(
      admitExclusions(
        [{ number: DAVE, reason: "opt-out", expiresAt: "2030-12-01T00:00:00.000Z" }],
        list.entries,
        OPEN,
        "GB",
      ),
    ).toMatchObject({ entries: [], invalid: [{ index: 0, reason: "an opt-out does not expire" }] });
  });
});

describe("a temporary entry holds a number back and never completes it", () => {
  const UNTIL = "2030-10-01T09:00:00.000Z";

  it("on the campaign's list: not completed, passed over by claims, counted excluded, due again after its expiry", () => {
    const held = [
      ...campaign,
      ...spec
        .with({ now: OPEN })
        .given(campaign)
        .when(
          command("add-exclusions", {
            campaignId: "camp-1",
            numbers: [{ number: "07722123456", reason: "call back later", expiresAt: UNTIL }],
          }),
        )
        .events(),
    ];
    expect(held.slice(campaign.length).map((e) => e.type)).toEqual(["ExclusionsAdded"]);
    expect(claimed(claimAt(held, OPEN).events())).toEqual([DAVE]);
    const state = fold(campaignDecider.evolve, campaignDecider.initialState(), held);
    if (state.status === "absent") throw new Error("no campaign");
    expect(dialQueue(state, OPEN)).toMatchObject({ dueNow: 1, excluded: 1, completed: 0 });
    expect(dialQueue(state, UNTIL)).toMatchObject({ dueNow: 2, excluded: 0 });
    expect(claimed(claimAt(held, UNTIL).events())).toEqual([BEN, DAVE]);
  });

  it("on the client's list: a running campaign's number is not completed, only passed over until the expiry", () => {
    const list = clientList([{ number: BEN, expiresAt: UNTIL }], "2030-10-01T08:00:00.000Z");
    claimAt(campaign, OPEN, 10, { clientExclusions: list }).thenMatches([
      { type: "ClientExclusionsApplied", data: { version: 1 } },
      { type: "AttemptsClaimed", data: { claims: [{ e164: DAVE }] } },
    ]);
    const applied = [
      ...campaign,
      ...claimAt(campaign, OPEN, 10, { clientExclusions: list }).events(),
    ];
    const state = fold(campaignDecider.evolve, campaignDecider.initialState(), applied);
    if (state.status === "absent") throw new Error("no campaign");
    expect(dialQueue(state, "2030-10-01T08:31:00.000Z", list.entries)).toMatchObject({
      claimed: 1,
      excluded: 1,
      completed: 0,
    });
    expect(claimed(claimAt(applied, UNTIL, 10, { clientExclusions: list }).events())).toEqual([
      BEN,
      DAVE,
    ]);
  });

  it("a permanent entry that replaces a temporary one completes the number at the next claim", () => {
    const temporary = clientList([{ number: BEN, expiresAt: UNTIL }], "2030-10-01T08:00:00.000Z");
    const applied = [
      ...campaign,
      ...claimAt(campaign, OPEN, 1, { clientExclusions: temporary }).events(),
    ];
    const permanent = clientList([{ number: BEN }], "2030-10-01T08:31:00.000Z", temporary);
    claimAt(applied, "2030-10-01T08:32:00.000Z", 10, { clientExclusions: permanent }).thenMatches([
      { type: "NumbersExcluded", data: { list: "client", numbers: [BEN] } },
      { type: "ClientExclusionsApplied", data: { version: 2 } },
    ]);
  });
});
