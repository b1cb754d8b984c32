/**
 * `/openapi.json` against Redocly's `recommended` rules, with
 * @redocly/openapi-core: the engine `redocly lint` runs, here as a library
 * (offline, no CLI download). No errors; the warnings left are argued in
 * docs/rest-cli-client.md ("OpenAPI lint") and listed here so a new one fails.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../../src/adapters/http/openapi.js";

// info-license-strict wants a license URL or SPDX id; the package is UNLICENSED (private): there is
// none to give.
const ACCEPTED_WARNINGS: readonly string[] = ["warn info-license-strict"];

describe("the OpenAPI document", () => {
  it("passes redocly lint with the recommended rules: no errors, no warnings beyond the argued ones", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({
      source: JSON.stringify(openApiDocument("1.0.0")),
      absoluteRef: "/openapi.json",
      config,
    });
    const shown = problems.map(
      (p) =>
        `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(", ")}`,
    );
    expect(shown.filter((line) => line.startsWith("error"))).toEqual([]);
    expect(
      shown.filter((line) => line.startsWith("warn")).map((line) => line.split(":")[0]),
    ).toEqual(ACCEPTED_WARNINGS);
  });
});
