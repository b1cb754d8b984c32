/**
 * Property: two instances on one store, fed random command sequences (each
 * command to either instance, some with a Command-Id, some repeating an
 * earlier one on the other instance), hold in the store exactly what a model
 * fed only the acknowledged commands holds; a repeat answers its first reply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite.js";
import {
  type Command,
  handlerOn,
  plain,
  requestOf,
  send,
  startRun,
  storeReader,
} from "../support/two-instances.js";

const dir = mkdtempSync(join(tmpdir(), "campaigns-property-"));
const file = join(dir, "shared.sqlite");
const stores = [new SqliteEventStore(file), new SqliteEventStore(file)] as const;
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const list = fc.constantFrom("client" as const, "campaign" as const);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: "pause" as const }),
  fc.constant({ kind: "resume" as const }),
  fc.record({ kind: fc.constant("claim" as const), limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("release" as const), number: fc.nat(11) }),
  fc.record({ kind: fc.constant("exclude" as const), list, number: fc.nat(3) }),
  fc.record({ kind: fc.constant("unexclude" as const), list, number: fc.nat(3) }),
);
type Step =
  | { kind: "send"; command: Command; instance: number; withId: boolean }
  | { kind: "repeat"; of: number; instance: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      command,
      instance: fc.nat(1),
      withId: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("repeat" as const),
      of: fc.nat(),
      instance: fc.nat(1),
    }),
  },
);

let runs = 0;

it("the store holds what the acknowledged commands did, whichever instance took them", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const instances = stores.map(handlerOn);
      const run = await startRun(instances, `property-${++runs}`, `client-${runs}`);
      const read = storeReader(stores[0], run);
      const sent: { command: Command; commandId: string; reply: unknown }[] = [];
      for (const [i, s] of steps.entries()) {
        const instance = instances[s.instance]!;
        if (s.kind === "repeat") {
          const first = sent[s.of % Math.max(1, sent.length)];
          if (first === undefined) continue;
          const repeat = await instance.handle({
            clientId: run.clientId,
            ...requestOf(run, first.command),
            commandId: first.commandId,
          });
          expect(repeat, `repeat of ${first.commandId}`).toMatchObject({
            ok: true,
            reply: first.reply,
          });
          continue;
        }
        const commandId = s.withId ? `step-${i}` : undefined;
        const result = await send(instance, run, s.command, commandId);
        if (result.ok && commandId !== undefined)
          sent.push({ command: s.command, commandId, reply: result.reply });
      }
      expect(plain(await read())).toEqual(plain(run.model));
    }),
    { numRuns: 40 },
  );
}, 120_000);
