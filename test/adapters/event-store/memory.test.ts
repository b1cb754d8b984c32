import { MemoryEventStore } from "../../../src/adapters/event-store/memory.js";
import { describeEventStoreContract } from "./contract.js";
import { describeReservationContract } from "./reservation-contract.js";

describeEventStoreContract("memory", async () => new MemoryEventStore());
describeReservationContract("memory", async () => new MemoryEventStore(), { ahead: false });
