import { describe, expect, it } from "vitest";
import { seedSettings } from "../../../src/domain/index.js";
import {
  CAMPAIGN,
  CLIENT,
  command,
  created,
  seedBody,
  seedWith,
  spec,
} from "../../support/decider-specification.js";

const create = (body: object) => command("create-campaign", body);
const day = (date: string, startTime = "09:00", finishTime = "12:00") => ({
  date,
  startTime,
  finishTime,
});
const { phoneNumbers: _numbers, ...seedSettingsBody } = seedBody();

describe("create-campaign", () => {
  it("creates the seed's campaign, its numbers normalised to E.164 and kept as submitted", () => {
    spec
      .given([])
      .when(create(seedBody()))
      .then([
        {
          type: "CampaignCreated",
          data: {
            campaignId: CAMPAIGN,
            clientId: CLIENT,
            settings: { ...seedSettingsBody, timeZone: "Europe/London" },
          },
        },
        {
          type: "PhoneNumbersAdded",
          data: {
            numbers: [
              {
                number: "07722123456",
                e164: "+447722123456",
                name: "ben",
                parameters: [{ value: "testing", parameter: 1 }],
              },
              { number: "07722734716", e164: "+447722734716", name: "Dave" },
            ],
            duplicates: [],
          },
        },
      ]);
  });

  it("echoes the seed's settings back in the seed's shape", () => {
    const [event] = created();
    expect(
      event?.type === "CampaignCreated" && seedSettings(CAMPAIGN, event.data.settings),
    ).toEqual({ id: CAMPAIGN, ...seedSettingsBody, timeZone: "Europe/London" });
  });

  it("takes the id the command carries", () => {
    spec
      .given([])
      .when(command("create-campaign", { ...seedBody(), id: 1234578 }))
      .thenMatches([{ data: { campaignId: "1234578" } }, {}]);
  });

  it("refuses an id already in use, whoever owns it", () => {
    spec
      .given(created())
      .when(create(seedBody()))
      .thenFails("conflict", [{ field: "id", reason: "already in use" }]);
    spec
      .given(created(seedBody(), "client-b"))
      .when(create(seedBody()))
      .thenFails("conflict", [{ field: "id" }]);
  });

  describe("time zone", () => {
    it("is the campaign's own when given", () => {
      spec
        .given([])
        .when(create(seedWith({ timeZone: "America/New_York" })))
        .thenMatches([{ data: { settings: { timeZone: "America/New_York" } } }, {}]);
    });

    it("is the configured default otherwise", () => {
      spec
        .with({ defaultTimeZone: "Europe/Paris" })
        .given([])
        .when(create(seedBody()))
        .thenMatches([{ data: { settings: { timeZone: "Europe/Paris" } } }, {}]);
    });

    it("must be an IANA zone (422)", () => {
      spec
        .given([])
        .when(create(seedWith({ timeZone: "Mars/Olympus" })))
        .thenFails("rule_violated", [
          { field: "timeZone", reason: "Mars/Olympus is not an IANA time zone" },
        ]);
      spec
        .given([])
        .when(create(seedWith({ timeZone: "local" })))
        .thenFails("rule_violated", [{ field: "timeZone" }]);
    });
  });

  describe("name", () => {
    it("is required, 1 to 200 characters (400)", () => {
      const { name: _name, ...nameless } = seedBody();
      spec
        .given([])
        .when(create(nameless))
        .thenFails("invalid_request", [{ field: "name" }]);
      spec
        .given([])
        .when(create(seedWith({ name: "" })))
        .thenFails("invalid_request", [{ field: "name" }]);
      spec
        .given([])
        .when(create(seedWith({ name: "   " })))
        .thenFails("invalid_request", [{ field: "name" }]);
      spec
        .given([])
        .when(create(seedWith({ name: "x".repeat(201) })))
        .thenFails("invalid_request", [{ field: "name" }]);
      spec
        .given([])
        .when(create(seedWith({ name: "x".repeat(200) })))
        .thenMatches([{ data: { settings: { name: "x".repeat(200) } } }, {}]);
    });
  });

  describe("dates and times", () => {
    it("are YYYY-MM-DD and HH:mm (400 naming the field)", () => {
      spec
        .given([])
        .when(create(seedWith({ startDate: "2030-13-01" })))
        .thenFails("invalid_request", [{ field: "startDate" }]);
      spec
        .given([])
        .when(create(seedWith({ startDate: "01/10/2030" })))
        .thenFails("invalid_request", [{ field: "startDate" }]);
      spec
        .given([])
        .when(create(seedWith({ startDate: "2030-02-30" })))
        .thenFails("invalid_request", [{ field: "startDate" }]);
      spec
        .given([])
        .when(create(seedWith({ startTime: "9am" })))
        .thenFails("invalid_request", [{ field: "startTime" }]);
      spec
        .given([])
        .when(create(seedWith({ finishTime: "24:00" })))
        .thenFails("invalid_request", [{ field: "finishTime" }]);
      spec
        .given([])
        .when(create(seedWith({ runoverDays: [day("2030-10-02", "9:00")] })))
        .thenFails("invalid_request", [{ field: "runoverDays.0.startTime" }]);
    });

    it("need the start time before the finish time (422)", () => {
      spec
        .given([])
        .when(create(seedWith({ startTime: "12:00", finishTime: "09:00" })))
        .thenFails("rule_violated", [{ field: "finishTime" }]);
      spec
        .given([])
        .when(create(seedWith({ startTime: "12:00", finishTime: "12:00" })))
        .thenFails("rule_violated", [{ field: "finishTime" }]);
    });
  });

  describe("runover days", () => {
    it("may be absent", () => {
      const { runoverDays: _runover, ...body } = seedBody();
      spec
        .given([])
        .when(create(body))
        .thenMatches([{ data: { settings: { runoverDays: [] } } }, {}]);
    });

    it("must each fall after the start date (422)", () => {
      spec
        .given([])
        .when(create(seedWith({ runoverDays: [day("2030-10-01")] })))
        .thenFails("rule_violated", [
          { field: "runoverDays.0.date", reason: "a runover day must be after startDate" },
        ]);
      spec
        .given([])
        .when(create(seedWith({ runoverDays: [day("2030-10-03"), day("2030-09-30")] })))
        .thenFails("rule_violated", [{ field: "runoverDays.1.date" }]);
    });

    it("must be unique (422)", () => {
      spec
        .given([])
        .when(
          create(
            seedWith({ runoverDays: [day("2030-10-03"), day("2030-10-03", "13:00", "15:00")] }),
          ),
        )
        .thenFails("rule_violated", [
          { field: "runoverDays.1.date", reason: "2030-10-03 is listed twice" },
        ]);
    });

    it("must each have a valid window of their own (422)", () => {
      spec
        .given([])
        .when(create(seedWith({ runoverDays: [day("2030-10-03", "13:00", "10:00")] })))
        .thenFails("rule_violated", [{ field: "runoverDays.0.finishTime" }]);
    });

    it("may come in any order, with windows unlike the start day's", () => {
      const runoverDays = [day("2030-10-04", "14:00", "18:00"), day("2030-10-03")];
      spec
        .given([])
        .when(create(seedWith({ runoverDays })))
        .thenMatches([{ data: { settings: { runoverDays } } }, {}]);
    });
  });

  describe("attempts", () => {
    const attempts = (...pairs: [number, number][]) => ({
      attempts: pairs.map(([attemptNumber, interval]) => ({ attemptNumber, interval })),
    });

    it("are numbered exactly 1..N in any input order, and stored in attempt order", () => {
      spec
        .given([])
        .when(create(seedWith(attempts([3, 120], [1, 15], [2, 60]))))
        .thenMatches([
          {
            data: {
              settings: {
                attempts: [
                  { attemptNumber: 1, interval: 15 },
                  { attemptNumber: 2, interval: 60 },
                  { attemptNumber: 3, interval: 120 },
                ],
              },
            },
          },
          {},
        ]);
    });

    it("refuse gaps, repeats and a list not starting at 1 (422)", () => {
      for (const wrong of [
        attempts([1, 15], [3, 15]),
        attempts([1, 15], [1, 30]),
        attempts([2, 15], [3, 15]),
      ])
        spec
          .given([])
          .when(create(seedWith(wrong)))
          .thenFails("rule_violated", [
            { field: "attempts", reason: "attempt numbers must be exactly 1..2" },
          ]);
    });

    it("mean one attempt when empty or absent", () => {
      const { attempts: _attempts, ...body } = seedBody();
      spec
        .given([])
        .when(create(body))
        .thenMatches([{ data: { settings: { attempts: [] } } }, {}]);
      spec
        .given([])
        .when(create(seedWith({ attempts: [] })))
        .thenMatches([{ data: { settings: { attempts: [] } } }, {}]);
    });

    it("need an interval of at least one minute and a positive attempt number (400)", () => {
      spec
        .given([])
        .when(create(seedWith(attempts([1, 0]))))
        .thenFails("invalid_request", [{ field: "attempts.0.interval" }]);
      spec
        .given([])
        .when(create(seedWith(attempts([0, 15]))))
        .thenFails("invalid_request", [{ field: "attempts.0.attemptNumber" }]);
      spec
        .given([])
        .when(create(seedWith(attempts([1, 1]))))
        .thenMatches([
          { data: { settings: { attempts: [{ attemptNumber: 1, interval: 1 }] } } },
          {},
        ]);
    });
  });

  describe("call flow and CLI", () => {
    it("must be registered for this client (422 naming the field)", () => {
      spec
        .given([])
        .when(create(seedWith({ callflow_Id: 7 })))
        .thenFails("rule_violated", [
          { field: "callflow_Id", reason: "call flow 7 is not registered for this client" },
        ]);
      spec
        .given([])
        .when(create(seedWith({ cli_Id: 9 })))
        .thenFails("rule_violated", [
          { field: "cli_Id", reason: "CLI 9 is not registered for this client" },
        ]);
    });

    it("are looked up in the client's own directory", () => {
      const other = spec.with({ callFlowIds: new Set([7]), cliIds: new Set([9]) });
      const error = other.given([]).when(create(seedBody())).thenFails("rule_violated");
      expect(error.details.map((d) => d.field)).toEqual(["callflow_Id", "cli_Id"]);
      other
        .given([])
        .when(create(seedWith({ callflow_Id: 7, cli_Id: 9 })))
        .thenMatches([{ data: { settings: { callflow_Id: 7, cli_Id: 9 } } }, {}]);
    });

    it("are positive integers (400)", () => {
      spec
        .given([])
        .when(create(seedWith({ callflow_Id: 0 })))
        .thenFails("invalid_request", [{ field: "callflow_Id" }]);
      spec
        .given([])
        .when(create(seedWith({ cli_Id: "1" })))
        .thenFails("invalid_request", [{ field: "cli_Id" }]);
    });
  });

  it("reports every broken rule at once", () => {
    const error = spec
      .given([])
      .when(
        create(seedWith({ startTime: "13:00", callflow_Id: 7, runoverDays: [day("2030-09-01")] })),
      )
      .thenFails("rule_violated");
    expect(error.details.map((d) => d.field)).toEqual([
      "finishTime",
      "runoverDays.0.date",
      "callflow_Id",
    ]);
  });

  it("refuses unknown fields and policies outside 0..2 (400)", () => {
    spec
      .given([])
      .when(create(seedWith({ colour: "blue" })))
      .thenFails("invalid_request");
    spec
      .given([])
      .when(create(seedWith({ smsOnBusy: 3 })))
      .thenFails("invalid_request", [{ field: "smsOnBusy" }]);
    spec
      .given([])
      .when(create(seedWith({ answerMachineDetected: -1 })))
      .thenFails("invalid_request", [{ field: "answerMachineDetected" }]);
  });
});
