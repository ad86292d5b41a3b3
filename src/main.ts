import { enableCompileCache } from "node:module";

// Node keeps each module's compiled code (and the TypeScript it stripped) in a cache on disk (NODE_COMPILE_CACHE,
// else the system's temporary directory), so a restart does not strip and compile a few hundred modules again:
// about 0.4 s of CPU per start (bench/startup.ts). The cache checks each file's content: a changed file is
// compiled afresh. Enabled before anything else loads, hence the dynamic import.
enableCompileCache();
const { runProcess } = await import("./process.ts");

/** The process as `npm start` runs it: settings from the environment, the system's clock. */
await runProcess(process.env);
