import { retryJob, retryWords } from "../src/slack/approvals/retry.ts";
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
      const outcome = await retryJob(deps, job.id, call.actor);
      await deps.audit.append({
        kind: "retried",
        actor: call.user,
        job: job.name,
        namespace: job.namespace,
        detail: { outcome: outcome.kind },
      });
      await deps.cards
        .thread(job.id, buildNote(`<@${call.user}> retried job *${job.name}*: ${outcome.kind}.`))
        .catch(() => undefined);
      await call.replyPrivately(buildNote(retryWords(outcome)));
    },
  };
  return command;
}
