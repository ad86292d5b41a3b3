import { jobScope } from "../src/release/index.ts";
import { buildHistory } from "../views/history.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function historyCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "history",
    usage: "<job>",
    summary: "Show what happened to a job: requests, approvals, changes and failures, with who did them.",
    example: "/release history reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.history", jobScope(job));
      const records = await deps.audit.forJob(job.namespace, job.name);
      await call.replyPrivately(buildHistory(job, records));
    },
  };
  return command;
}
