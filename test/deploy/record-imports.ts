// Loads a module graph in a child process and writes every resolution it made (importer, specifier, URL), one
// per line, to the file named first on the command line. Both import and require go through these hooks.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";

const [out, entry] = process.argv.slice(2);
if (!out || !entry) throw new Error("usage: record-imports.ts <out> <entry>");
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    seen.add([context.parentURL ?? "", specifier, result.url].join("\t"));
    return result;
  },
});
// The entry may end the process itself (main.ts exits when settings are missing): record on the way out.
process.on("exit", () => writeFileSync(out, [...seen].join("\n")));
await import(pathToFileURL(entry).href);
