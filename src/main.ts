import { runProcess } from "./process.ts";

/** The process as `npm start` runs it: settings from the environment, the system's clock. */
await runProcess(process.env);
