import { type DestinationStream, pino, type Logger } from "pino";
import { currentTraceId } from "../app/tracing.js";

/** The service's logger: JSON lines (pino-pretty in `npm run dev`), each written inside a request's span carrying its trace_id. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "campaigns" },
    mixin: () => {
      const traceId = currentTraceId();
      return traceId === undefined ? {} : { trace_id: traceId };
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
