import { jobScope } from "../src/release/index.ts";
import { buildNote } from "../views/desk-message.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function retryCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "retry",
    usage: "<job>",
    summary: "Retry a failed job from the step where it failed.",
    example: "/release retry reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.retry", jobScope(job));
      const after = await deps.desk.retry(job.id, call.user);
      await deps.audit.append({ kind: "retried", actor: call.user, job: job.name, namespace: job.namespace });
      await deps.cards
        .thread(job.id, buildNote(`<@${call.user}> retried job *${job.name}*.`))
        .catch(() => undefined);
      await call.replyPrivately(buildNote(`Job *${after.name}* is ${after.state} again.`));
    },
  };
  return command;
}
