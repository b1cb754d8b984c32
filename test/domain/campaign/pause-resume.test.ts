import { describe, it } from "vitest";
import {
  after,
  command,
  created,
  recordOutcome,
  spec,
} from "../../support/decider-specification.js";

const pause = command("pause-campaign");
const resume = command("resume-campaign");
const paused = after(created(), pause);

describe("pause-campaign and resume-campaign", () => {
  it("pause an active campaign", () => {
    spec
      .given(created())
      .when(pause)
      .then([{ type: "CampaignPaused", data: {} }]);
  });

  it("resume a paused campaign", () => {
    spec
      .given(paused)
      .when(resume)
      .then([{ type: "CampaignResumed", data: {} }]);
  });

  it("are idempotent: pausing a paused campaign or resuming an active one changes nothing", () => {
    spec.given(paused).when(pause).thenNothingHappens();
    spec.given(created()).when(resume).thenNothingHappens();
    spec.given(after(paused, resume)).when(resume).thenNothingHappens();
    spec
      .given(after(paused, resume))
      .when(pause)
      .then([{ type: "CampaignPaused", data: {} }]);
  });

  it("still take the outcome of a call that was in progress when the campaign was paused", () => {
    spec
      .given(paused)
      .when(
        recordOutcome({
          number: "07722123456",
          attemptNumber: 1,
          outcome: 1,
          occurredAt: "2030-10-01T08:30:00.000Z",
        }),
      )
      .thenMatches([
        {
          type: "AttemptOutcomeRecorded",
          data: { next: { status: "completed", result: "contacted" } },
        },
      ]);
  });

  it("find no campaign that was never created (404)", () => {
    spec
      .given([])
      .when(pause)
      .thenFails("not_found", [{ field: "id", reason: "no campaign with id camp-1" }]);
    spec
      .given([])
      .when(resume)
      .thenFails("not_found", [{ field: "id" }]);
  });
});
