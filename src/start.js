// `npm start`: checks the Node version before loading any TypeScript (older Nodes cannot strip types and would
// fail with `Unknown file extension ".ts"`), reads `.env` when it exists (settings already in the environment
// win), then runs src/main.ts.

import { existsSync } from "node:fs";
import { tooOld } from "./node-version.js";

const problem = tooOld(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
if (existsSync(".env")) process.loadEnvFile(".env");
await import("./main.ts");
