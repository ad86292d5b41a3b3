import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import { requestChange } from "./request-change.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs, usageError } from "./usage.ts";

export function offlineCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "offline",
    usage: "<job> [version-to-keep]",
    summary: "Ask to finish the job: keep the version serving all traffic and remove the other.",
    example: "/release offline reviews-v2 v2",
    async run(call) {
      expectArgs(command, call.args, 1, 2);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      const serving =
        job.state === "taken-over"
          ? job.takenOverBy
          : job.state === "rolled-back"
            ? job.stableVersion
            : undefined;
      const keep = call.args[1] ?? serving;
      if (!keep)
        throw usageError(
          command,
          `Job ${job.name} still sends traffic to ${job.stableVersion} and ${job.newVersion.version}: take one over first, or name the version to keep.`,
        );
      await requestChange(deps, call, job, { kind: "takeOffline", keep });
    },
  };
  return command;
}
