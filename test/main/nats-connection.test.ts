/** NATS credentials from the environment: one source, named in errors, never printed. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/main/config.js";
import { natsSettings } from "../../src/main/nats-connection.js";
import { configRefusal } from "../support/config-refusal.js";

describe("NATS credentials", () => {
  it("takes user and password out of NATS_URL (nats.js does not read them) and keeps them out of the servers shown", () => {
    const settings = natsSettings({ NATS_URL: "nats://svc:p%40ss@nats-1:4222,nats://nats-2:4222" });
    expect(settings.servers).toEqual(["nats://nats-1:4222", "nats://nats-2:4222"]);
    expect(settings.shownServers).not.toContain("p@ss");
    expect(settings.auth).toEqual({ user: "svc", pass: "p@ss" });
    expect(settings.credentialSource).toBe("NATS_URL");
    expect(natsSettings({ NATS_URL: "nats://s3cret-token@nats-1:4222" }).auth).toEqual({
      token: "s3cret-token",
    });
  });

  it("reads NATS_USER + NATS_PASSWORD, NATS_TOKEN and a NATS_CREDS file", () => {
    expect(
      natsSettings({ NATS_URL: "nats://h:1", NATS_USER: "u", NATS_PASSWORD: "p" }).auth,
    ).toEqual({ user: "u", pass: "p" });
    expect(natsSettings({ NATS_URL: "nats://h:1", NATS_TOKEN: "t" }).auth).toEqual({ token: "t" });
    const file = join(mkdtempSync(join(tmpdir(), "creds-")), "user.creds");
    writeFileSync(file, "-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n");
    expect(
      natsSettings({ NATS_URL: "nats://h:1", NATS_CREDS: file }).auth.authenticator,
    ).toBeTypeOf("function");
    expect(natsSettings({ NATS_URL: "nats://h:1" }).credentialSource).toBeUndefined();
  });

  it.each([
    [{ NATS_USER: "u" }, /^invalid configuration: NATS_PASSWORD: required with NATS_USER$/],
    [
      { NATS_PASSWORD: "hunter2" },
      /^invalid configuration: NATS_USER: required with NATS_PASSWORD$/,
    ],
    [
      { NATS_USER: "u", NATS_PASSWORD: "hunter2", NATS_TOKEN: "hunter2" },
      /^invalid configuration: NATS_TOKEN: NATS credentials come from NATS_USER\/NATS_PASSWORD and NATS_TOKEN; set only one/,
    ],
    [
      { NATS_CREDS: "/nowhere/user.creds" },
      /^invalid configuration: NATS_CREDS="\/nowhere\/user.creds": cannot read the credentials file \(ENOENT\)$/,
    ],
  ])("refuses %o in one line naming the variable, without the secret", (env, message) => {
    const line = configRefusal(() => natsSettings({ NATS_URL: "nats://h:4222", ...env }));
    expect(line).toMatch(message);
    expect(line).not.toContain("hunter2");
  });

  it("names a bad NATS_URL without printing its password", () => {
    const line = configRefusal(() => loadConfig({ NATS_URL: "nats://svc:hunter2@host:4222/path" }));
    expect(line).toMatch(/^invalid configuration: NATS_URL="nats:\/\/\*\*\*@host:4222\/path"/);
    expect(line).not.toContain("hunter2");
  });
});
