import { jobScope } from "../src/release/index.ts";
import { escapeText } from "../views/escape.ts";
import { buildJobCard } from "../views/job-card.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function statusCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "status",
    usage: "<job>",
    summary: "Show a job as the cluster has it now: versions, replicas and the traffic split.",
    example: "/release status reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.status", jobScope(job));
      const status = await deps.desk.status(job.id);
      const pending = deps.approvals.gate
        .pendingFor(job.id)
        .map((r) => `${escapeText(r.operation)} (asked by <@${r.requestedBy}>)`);
      await call.replyPrivately(
        buildJobCard({
          job: status.job,
          versions: status.versions,
          ...(status.configured ? { configured: status.configured } : {}),
          pending,
        }),
      );
    },
  };
  return command;
}
