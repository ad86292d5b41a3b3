// One Graydesk process as `src/main.ts` runs it, with one difference: its clock reads the system's time plus an
// offset the test sets over the IPC channel (`{ clockOffsetMs }`, answered with the offset now in force), so a test
// moves several processes to a schedule's next minute together instead of waiting for it.
import { runProcess } from "../../src/process.ts";

let offsetMs = Number(process.argv[2] ?? 0);
process.on("message", (message: { clockOffsetMs?: unknown }) => {
  if (typeof message.clockOffsetMs === "number") offsetMs = message.clockOffsetMs;
  process.send?.({ clockOffsetMs: offsetMs });
});
await runProcess(process.env, { clock: () => new Date(Date.now() + offsetMs) });
