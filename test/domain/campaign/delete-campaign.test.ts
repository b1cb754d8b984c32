import { describe, it } from "vitest";
import {
  after,
  command,
  commandsOnTheCampaign,
  created,
  seedBody,
  spec,
} from "../../support/decider-specification.js";

const deleted = after(created(), command("delete-campaign"));

describe("delete-campaign", () => {
  it("deletes the campaign softly (an event; the stream stays for audit)", () => {
    spec
      .given(created())
      .when(command("delete-campaign"))
      .then([{ type: "CampaignDeleted", data: {} }]);
  });

  it("deletes a paused campaign too", () => {
    spec
      .given(after(created(), command("pause-campaign")))
      .when(command("delete-campaign"))
      .then([{ type: "CampaignDeleted", data: {} }]);
  });

  it.each(commandsOnTheCampaign())(
    "leaves later commands nothing to find: %s -> 404",
    (_name, later) => {
      spec
        .given(deleted)
        .when(later)
        .thenFails("not_found", [{ field: "id", reason: "no campaign with id camp-1" }]);
    },
  );

  it("does not free the id for a new campaign (409)", () => {
    spec
      .given(deleted)
      .when(command("create-campaign", seedBody()))
      .thenFails("conflict", [{ field: "id" }]);
  });
});
