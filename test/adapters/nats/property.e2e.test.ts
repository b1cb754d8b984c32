/**
 * Property-based (fast-check) over every command and query of the contract,
 * through real NATS: generated and mutated bodies and headers always get a
 * reply, of the right class (2xx, or 400/404/409/422: never 503 for input a
 * retry could not mend), a refusal writes no event, and the service keeps
 * serving. Bounded: 1,500 requests, one at a time.
 */
import fc from "fast-check";
import { headers, type Msg } from "nats";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { commandNames } from "../../../src/contract/commands.js";
import { queryNames } from "../../../src/contract/queries.js";
import {
  seedPostBody,
  startTestInstanceWithCampaign,
  type TestInstance,
} from "../../support/instance.js";

let svc: TestInstance;

beforeAll(async () => {
  svc = await startTestInstanceWithCampaign("p-1");
});
afterAll(async () => {
  await svc?.stop();
});

const occurredAt = "2030-10-01T08:30:00.000Z";
/** A plausible body per request, which the generator then mutates. */
const template = (name: string): Record<string, unknown> => {
  const id = { id: "p-1" };
  const bodies: Record<string, Record<string, unknown>> = {
    "register-call-flow": { callFlowId: 2, name: "Flow" },
    "register-cli": { cliId: 2, number: "01632960002" },
    "create-campaign": { ...seedPostBody(), id: "p-new" },
    "update-campaign": { ...seedPostBody(), ...id },
    "add-phone-numbers": {
      ...id,
      phoneNumbers: [
        { number: "07722000001", name: "Ann", parameters: [{ parameter: 1, value: "x" }] },
      ],
    },
    "record-attempt-outcome": {
      ...id,
      number: "07722123456",
      attemptNumber: 1,
      outcome: 3,
      occurredAt,
    },
    "record-stage-reached": {
      ...id,
      number: "07722123456",
      attemptNumber: 1,
      stage: 2,
      occurredAt,
    },
    "get-campaign-history": { ...id, fromRevision: 0, limit: 10 },
    "get-campaign-state-at": { ...id, revision: 1 },
    "list-campaigns": {},
  };
  return bodies[name] ?? id;
};

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 0, 1e300, "", "x".repeat(300), "07722123456", [], {}, true),
);
/** A template with fields dropped, replaced by any JSON value or added, or something else entirely. */
const body = (name: string) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.array(
            fc.tuple(
              fc.constantFrom(...Object.keys(template(name)), "extra", "id", "phoneNumbers"),
              fc.option(jsonValue),
            ),
            { maxLength: 3 },
          ),
        )
        .map(([changes]) => {
          const b: Record<string, unknown> = { ...template(name) };
          for (const [key, value] of changes)
            if (value === null) delete b[key];
            else b[key] = value;
          delete b.minPosition; // waiting for a position the read models never reach is a genuine 503
          return JSON.stringify(b);
        }),
    },
    { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
  );
const headerValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ minLength: 190, maxLength: 220 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uuid(),
);
const requestHeaders = fc.record({
  "Command-Id": fc.option(headerValue),
  "correlation-id": fc.option(headerValue),
  traceparent: fc.option(headerValue),
});

const request = fc
  .oneof(
    fc.constantFrom(...commandNames).map((name) => ({ kind: "cmd", name })),
    fc.constantFrom(...queryNames).map((name) => ({ kind: "query", name })),
  )
  .chain((target) =>
    fc.record({ target: fc.constant(target), data: body(target.name), headers: requestHeaders }),
  );

const DETERMINISTIC = new Set(["", "400", "404", "409", "422"]);

/**
 * The test's own look at the store's head, a few thousand times: a transient gRPC stream reset
 * between the real EventStoreDB client and the protocol double is retried, as any caller would.
 */
const storeHead = async (): Promise<bigint> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await svc.instance.store.headPosition();
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(50 * attempt);
    }
  }
};

it(
  "answers every generated request with 2xx or its 4xx, writes nothing when refusing, and keeps serving",
  { timeout: 180_000 },
  async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ target, data, headers: values }) => {
        const h = headers();
        for (const [name, value] of Object.entries(values)) {
          if (value === null) continue;
          h.set(name, "placeholder");
          (h as unknown as { headers: Map<string, string[]> }).headers.set(name, [value]); // values as a careless client sends them
        }
        const before = await storeHead();
        const send = (): Promise<Msg> =>
          svc.nc.request(`campaigns.acme.${target.kind}.${target.name}`, data, {
            timeout: 10_000,
            headers: h,
          });
        const statusOf = (reply: Msg) => reply.headers?.get("Nats-Service-Error-Code") ?? "";
        let msg = await send();
        // 503 means "retry later" (the EventStoreDB double resets a gRPC stream now and then): the
        // same request again must be answered for what it is.
        if (statusOf(msg) === "503") msg = await send();
        const status = statusOf(msg);
        expect(
          DETERMINISTIC,
          `${target.name} ${data.slice(0, 200)} -> ${status} ${new TextDecoder().decode(msg.data).slice(0, 300)}`,
        ).toContain(status);
        if (status !== "") expect(await storeHead()).toBe(before);
      }),
      {
        numRuns: 1500,
        seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31),
        endOnFailure: true,
      },
    );
    expect(Array.isArray(await svc.client("acme").listCampaigns())).toBe(true); // still serving
  },
);
