import { describe, expect, it } from "vitest";
import { type DirectoryEvent, directoryDecider, fold } from "../../../src/domain/index.js";
import {
  command,
  directoryCommand,
  directorySpec,
  seedWith,
  spec,
} from "../../support/decider-specification.js";

const flow = (callFlowId: number, name: string) =>
  directoryCommand("register-call-flow", { callFlowId, name });
const cli = (cliId: number, number: string) => directoryCommand("register-cli", { cliId, number });
const collections: DirectoryEvent = {
  type: "CallFlowRegistered",
  data: { callFlowId: 1, name: "Collections" },
};
const mainLine: DirectoryEvent = {
  type: "CliRegistered",
  data: { cliId: 5, number: "01632960001", e164: "+441632960001" },
};

describe("client directory: register-call-flow", () => {
  it("registers a call flow", () => {
    directorySpec.given([]).when(flow(1, "Collections")).then([collections]);
  });

  it("changes nothing when the identical registration comes again", () => {
    directorySpec.given([collections]).when(flow(1, "Collections")).thenNothingHappens();
  });

  it("renames a call flow registered under another name", () => {
    directorySpec
      .given([collections])
      .when(flow(1, "Arrears"))
      .then([{ type: "CallFlowRegistered", data: { callFlowId: 1, name: "Arrears" } }]);
  });

  it("needs a positive id and a name (400)", () => {
    directorySpec
      .given([])
      .when(flow(0, "Collections"))
      .thenFails("invalid_request", [{ field: "callFlowId" }]);
    directorySpec
      .given([])
      .when(flow(1, "  "))
      .thenFails("invalid_request", [{ field: "name" }]);
  });
});

describe("client directory: register-cli", () => {
  it("registers a caller ID with its E.164 form; a reserved range is fine for a caller ID", () => {
    directorySpec.given([]).when(cli(5, "01632960001")).then([mainLine]);
  });

  it("changes nothing when the identical registration comes again", () => {
    directorySpec.given([mainLine]).when(cli(5, "01632960001")).thenNothingHappens();
  });

  it("replaces the number of a CLI registered with another", () => {
    directorySpec
      .given([mainLine])
      .when(cli(5, "07722123456"))
      .then([
        { type: "CliRegistered", data: { cliId: 5, number: "07722123456", e164: "+447722123456" } },
      ]);
  });

  it("refuses a number that cannot be a caller ID (422 naming it)", () => {
    directorySpec
      .given([])
      .when(cli(6, "12"))
      .thenFails("rule_violated", [
        { field: "number", number: "12", reason: "not a possible number for its region" },
      ]);
    directorySpec
      .given([])
      .when(cli(6, "call me"))
      .thenFails("rule_violated", [{ field: "number", number: "call me" }]);
  });
});

describe("client directory: what campaigns see", () => {
  it("the registered ids are the ones a campaign may use", () => {
    const directory = fold(directoryDecider.evolve, directoryDecider.initialState(), [
      collections,
      mainLine,
    ]);
    const context = {
      callFlowIds: new Set(directory.callFlows.keys()),
      cliIds: new Set(directory.clis.keys()),
    };
    expect(context).toEqual({ callFlowIds: new Set([1]), cliIds: new Set([5]) });
    spec
      .with(context)
      .given([])
      .when(command("create-campaign", seedWith({ cli_Id: 5 })))
      .thenMatches([{ data: { settings: { callflow_Id: 1, cli_Id: 5 } } }, {}]);
    spec
      .with(context)
      .given([])
      .when(command("create-campaign", seedWith({ cli_Id: 1 })))
      .thenFails("rule_violated", [{ field: "cli_Id" }]);
  });
});
