import { jobVersions } from "../src/release/index.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import { requestChange } from "./request-change.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs, usageError } from "./usage.ts";

export function takeOverCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "takeover",
    usage: "<job> <version>",
    summary: "Ask to let one version take over all traffic.",
    example: "/release takeover reviews-v2 v2",
    async run(call) {
      expectArgs(command, call.args, 1, 2);
      const [ref, version] = call.args as [string, string | undefined];
      const job = resolveJob(deps.desk, deps.store, call.channel, ref);
      const versions = jobVersions(job);
      if (!version) throw usageError(command, `Say which version takes over: ${versions.join(" or ")}.`);
      if (!versions.includes(version))
        throw usageError(
          command,
          `${version} is not a version of ${job.name}; choose ${versions.join(" or ")}.`,
        );
      await requestChange(deps, call, job, { kind: "takeOver", version });
    },
  };
  return command;
}
