import { jobScope } from "../src/release/index.ts";
import { buildNote } from "../views/desk-message.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function abandonCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "abandon",
    usage: "<job>",
    summary: "Give up a failed job (its resources stay for inspection).",
    example: "/release abandon reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.abandon", jobScope(job));
      const after = await deps.desk.abandon(job.id, call.user);
      await deps.audit.append({
        kind: "abandoned",
        actor: call.user,
        job: job.name,
        namespace: job.namespace,
      });
      await deps.cards
        .thread(job.id, buildNote(`<@${call.user}> abandoned job *${job.name}*.`))
        .catch(() => undefined);
      await call.replyPrivately(buildNote(`Job *${after.name}* is ${after.state}.`));
    },
  };
  return command;
}
