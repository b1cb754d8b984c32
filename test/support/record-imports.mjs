// Loaded with `node --import`: records every module URL the process resolves, one a line, in
// the file named by RECORD_IMPORTS_TO (the hooks run on their own thread, so a file is the channel).
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      import { appendFileSync } from "node:fs";
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        appendFileSync(${JSON.stringify(process.env.RECORD_IMPORTS_TO)}, resolved.url + "\\n");
        return resolved;
      }`),
);
