/**
 * A port or address the service cannot listen on, as the one line start-up stops with: which
 * variable to change and to what (a second instance on one machine meets OPS_PORT first).
 */
import { ConfigError } from "./config.js";

export function listenRefusal(
  error: unknown,
  variable: "HTTP_PORT" | "OPS_PORT",
  port: number,
  host: string,
): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const off =
    variable === "OPS_PORT" ? ", or OPS_PORT= (empty) to run without health and metrics" : "";
  switch (code) {
    case "EADDRINUSE":
      return new ConfigError(
        `cannot start: ${variable}=${port} is already in use on ${host} (another process, perhaps another instance of this service); set ${variable} to a free port${off}`,
      );
    case "EACCES":
      return new ConfigError(
        `cannot start: ${variable}=${port} needs privileges this process does not have; set ${variable} to a port of 1024 or above`,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new ConfigError(
        `invalid configuration: BIND_ADDRESS=${JSON.stringify(host)}: not an address of this machine; set BIND_ADDRESS to one of its addresses (127.0.0.1 for this machine only, 0.0.0.0 for every interface)`,
      );
    default:
      return error;
  }
}
