/** Configuration from the environment: defaults from CONTRACT.md, and one clear line naming a bad variable. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/main/config.js";
import { configRefusal } from "../support/config-refusal.js";

const refusal = (env: Record<string, string>): string => configRefusal(() => loadConfig(env));

describe("configuration", () => {
  it("has the contract's defaults", () => {
    expect(loadConfig({})).toMatchObject({
      NATS_URL: "nats://127.0.0.1:4222",
      EVENT_STORE: "sqlite",
      DATA_DIR: "./data",
      DEFAULT_REGION: "GB",
      DEFAULT_TIME_ZONE: "Europe/London",
      LOG_LEVEL: "info",
      CONSUMERS: "here",
    });
    expect(loadConfig({}).HTTP_PORT).toBeUndefined();
    expect(loadConfig({ HTTP_PORT: "" }).HTTP_PORT).toBeUndefined(); // empty = no HTTP
  });

  it("serves health and metrics on 9464 unless OPS_PORT is empty; readiness lag and stream retention have defaults", () => {
    expect(loadConfig({})).toMatchObject({
      OPS_PORT: 9464,
      READY_MAX_LAG: 10_000,
      EVENTS_MAX_AGE: 365 * 86_400,
      EVENTS_MAX_BYTES: -1,
    });
    expect(loadConfig({ OPS_PORT: "" }).OPS_PORT).toBeUndefined();
    expect(
      loadConfig({
        OPS_PORT: "0",
        READY_MAX_LAG: "5",
        EVENTS_MAX_AGE: "12h",
        EVENTS_MAX_BYTES: "1000000",
      }),
    ).toMatchObject({
      OPS_PORT: 0,
      READY_MAX_LAG: 5,
      EVENTS_MAX_AGE: 43_200,
      EVENTS_MAX_BYTES: 1_000_000,
    });
    expect(loadConfig({ EVENTS_MAX_AGE: "0" }).EVENTS_MAX_AGE).toBe(0);
    expect(refusal({ EVENTS_MAX_AGE: "a year" })).toMatch(
      /^invalid configuration: EVENTS_MAX_AGE="a year": a duration/,
    );
    expect(refusal({ READY_MAX_LAG: "-1" })).toMatch(/^invalid configuration: READY_MAX_LAG/);
  });

  it("listens on this machine only unless BIND_ADDRESS says otherwise", () => {
    expect(loadConfig({}).BIND_ADDRESS).toBe("127.0.0.1");
    expect(loadConfig({ BIND_ADDRESS: "0.0.0.0" }).BIND_ADDRESS).toBe("0.0.0.0");
    expect(loadConfig({ BIND_ADDRESS: "::" }).BIND_ADDRESS).toBe("::");
    expect(loadConfig({ BIND_ADDRESS: "localhost" }).BIND_ADDRESS).toBe("localhost");
    expect(refusal({ BIND_ADDRESS: "http://0.0.0.0" })).toMatch(
      /^invalid configuration: BIND_ADDRESS="http:\/\/0.0.0.0": an IP address of this machine/,
    );
  });

  it("leaves JS_REPLICAS to the cluster unless set, to 1..5 (NATS' limit)", () => {
    expect(loadConfig({}).JS_REPLICAS).toBeUndefined();
    expect(loadConfig({ JS_REPLICAS: "3" }).JS_REPLICAS).toBe(3);
    expect(refusal({ JS_REPLICAS: "7" })).toMatch(/^invalid configuration: JS_REPLICAS="7"/);
    expect(refusal({ JS_REPLICAS: "three" })).toMatch(/^invalid configuration: JS_REPLICAS/);
  });

  it("reads API_KEYS as key -> client", () => {
    expect([...loadConfig({ HTTP_PORT: "8080", API_KEYS: "k1:acme, k2:globex" }).API_KEYS]).toEqual(
      [
        ["k1", "acme"],
        ["k2", "globex"],
      ],
    );
  });

  it.each([
    [{ EVENT_STORE: "postgres" }, /^invalid configuration: EVENT_STORE="postgres": /],
    [
      { DEFAULT_TIME_ZONE: "Mars/Olympus" },
      /^invalid configuration: DEFAULT_TIME_ZONE="Mars\/Olympus": an IANA time zone/,
    ],
    [{ DEFAULT_REGION: "gb" }, /^invalid configuration: DEFAULT_REGION="gb": a two-letter region/],
    [{ HTTP_PORT: "99999", API_KEYS: "k:acme" }, /^invalid configuration: HTTP_PORT="99999"/],
    [
      { NATS_URL: "localhost" },
      /^invalid configuration: NATS_URL="localhost": one or more nats:\/\/host:port URLs/,
    ],
    [
      { EVENT_STORE: "eventstoredb" },
      /^invalid configuration: EVENTSTORE_CONNECTION_STRING: required when EVENT_STORE=eventstoredb/,
    ],
    [{ HTTP_PORT: "8080" }, /^invalid configuration: API_KEYS: required when HTTP_PORT is set/],
    [{ LOG_LEVEL: "loud" }, /^invalid configuration: LOG_LEVEL="loud"/],
    [
      { EVENT_STORE: "memory", CONSUMERS: "thread" },
      /^invalid configuration: CONSUMERS="thread": the memory store lives in one thread/,
    ],
    [{ CONSUMERS: "elsewhere" }, /^invalid configuration: CONSUMERS="elsewhere"/],
  ])("refuses %o in one line naming the variable", (env, message) => {
    const line = refusal(env);
    expect(line).toMatch(message);
    expect(line).not.toContain("\n");
  });

  it("names a bad API_KEYS without printing the keys", () => {
    for (const keys of ["secret-1:acme,secret-1:globex", "secret-1:acme,secret-2"]) {
      const line = refusal({ HTTP_PORT: "8080", API_KEYS: keys });
      expect(line).toMatch(/^invalid configuration: API_KEYS: /);
      expect(line).not.toContain("secret");
    }
  });
});
