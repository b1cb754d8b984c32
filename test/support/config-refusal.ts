import { ConfigError } from "../../src/main/config.js";

/** The one line a refused configuration stops with: the ConfigError `run` throws (any other error, or none, fails the test). */
export const configRefusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected the configuration to be refused");
};
