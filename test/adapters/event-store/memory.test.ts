import { MemoryEventStore } from "../../../src/adapters/event-store/memory.js";
import { describeEventStoreContract } from "./contract.js";

describeEventStoreContract("memory", async () => new MemoryEventStore());
