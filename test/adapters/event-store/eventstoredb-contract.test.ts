import { afterAll, beforeAll } from "vitest";
import { EventStoreDbEventStore } from "../../../src/adapters/event-store/eventstoredb.js";
import { type RunningDouble, start } from "../../support/eventstoredb-double.js";
import { describeEventStoreContract } from "./contract.js";
import { describeReservationContract } from "./reservation-contract.js";

// Against a real server when EVENTSTORE_CONNECTION_STRING is set, otherwise the in-process protocol
// double.
const real = process.env.EVENTSTORE_CONNECTION_STRING;
let double: RunningDouble | undefined;
beforeAll(async () => {
  if (!real) double = await start();
});
afterAll(async () => {
  await double?.stop();
});

describeEventStoreContract(
  real ? "eventstoredb (real server)" : "eventstoredb (protocol double)",
  async () => new EventStoreDbEventStore(real ?? double!.connectionString),
);

describeReservationContract(
  real ? "eventstoredb (real server)" : "eventstoredb (protocol double)",
  async () => new EventStoreDbEventStore(real ?? double!.connectionString),
  { ahead: true },
);
