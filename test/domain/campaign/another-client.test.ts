import { describe, it } from "vitest";
import { commandsOnTheCampaign, created, spec } from "../../support/decider-specification.js";

describe("another client's campaign", () => {
  it.each(commandsOnTheCampaign("client-b"))(
    "is not found: %s -> 404, exactly as if it did not exist",
    (_name, theirs) => {
      spec
        .given(created())
        .when(theirs)
        .thenFails("not_found", [{ field: "id", reason: "no campaign with id camp-1" }]);
    },
  );
});
