import { jobScope } from "../src/release/index.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import { requestChange } from "./request-change.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function abandonCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "abandon",
    usage: "<job>",
    summary:
      "Ask to give up a failed job: once approved, the stable version keeps all traffic and the job's objects are removed.",
    example: "/release abandon reviews-v2",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.abandon", jobScope(job));
      // Abandoning moves traffic and deletes objects: it is asked for and approved like taking a job offline.
      await requestChange(deps, call, job, { kind: "abandon" }, "job.abandon");
    },
  };
  return command;
}
