// `npm start`: checks the Node version before loading any TypeScript (older Nodes cannot strip types and would
// fail with `Unknown file extension ".ts"`), reads `.env` when it exists (settings already in the environment
// win), turns on Node's compile cache, then runs src/main.ts.

import { existsSync } from "node:fs";
import * as nodeModule from "node:module";
import { tooOld } from "./node-version.js";

const problem = tooOld(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
if (existsSync(".env")) process.loadEnvFile(".env");
// Before the first TypeScript file loads: with every module's stripped source in the cache, a restart never
// loads Node's type stripper at all (about 17 MB of memory for the life of the process).
nodeModule.enableCompileCache?.();
await import("./main.ts");
