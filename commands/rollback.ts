import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import { requestChange } from "./request-change.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function rollbackCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "rollback",
    usage: "<job>",
    summary: "Ask to send all traffic back to the stable version.",
    example: "/release rollback reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await requestChange(deps, call, job, { kind: "rollback" });
    },
  };
  return command;
}
