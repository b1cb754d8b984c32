/**
 * The protocol double in a process of its own, as EventStoreDB would be: the
 * command path's figures then count the service's CPU only, not the server's.
 * Prints the connection string, then serves until its stdin closes.
 */
import { start } from "../test/support/eventstoredb-double.js";

const double = await start({ appendLatencyMs: Number(process.env.APPEND_LATENCY_MS ?? 0) });
process.stdout.write(`${double.connectionString}\n`);
process.stdin.resume();
process.stdin.on("end", () => void double.stop().then(() => process.exit(0)));
