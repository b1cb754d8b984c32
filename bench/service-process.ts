/**
 * The service in a process of its own, as production runs it, with the echo
 * endpoint (the ceiling) on a connection of its own beside it: the figures
 * then count the service's CPU, not the load generator's. The parent passes
 * the service's environment in BENCH_SERVICE_ENV (JSON). Prints "ready";
 * answers "cpu" with its CPU time so far (ms, every thread of the process:
 * the consumers thread and the SQLite writer included), "memory" with its
 * resident set and heap in use (bytes, JSON); stops when its stdin closes.
 */
import { createInterface } from "node:readline";
import { connect } from "nats";
import { pino } from "pino";
import { loadConfig } from "../src/main/config.js";
import { startInstance } from "../src/main/compose.js";

const silent = pino({ level: "silent" });
const env = JSON.parse(process.env.BENCH_SERVICE_ENV ?? "{}") as Record<string, string>;
const running = await startInstance(loadConfig(env), silent);
const echoConnection = await connect({ servers: env.NATS_URL, noAsyncTraces: true });
const echo = await echoConnection.services.add({ name: "bench-echo", version: "0.0.1" });
echo.addEndpoint("echo", { subject: "bench.echo", handler: (_err, msg) => msg.respond(msg.data) });
process.stdout.write("ready\n");

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "cpu") {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${(user + system) / 1000}\n`);
  } else if (line === "memory") {
    const { rss, heapUsed } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss, heapUsed })}\n`);
  }
});
lines.on("close", () => {
  void (async () => {
    await echo.stop();
    await echoConnection.close();
    await running.stop();
    process.exit(0);
  })();
});
