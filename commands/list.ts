import { GatedReleases } from "../src/controllers/index.ts";
import { buildJobList } from "../views/job-list.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { defaultNamespace } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export function listCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "list",
    usage: "[namespace]",
    summary:
      "List release jobs (and Flagger / Argo Rollouts releases gated here): of a namespace, of this channel's namespace, or all.",
    example: "/release list bookinfo",
    async run(call) {
      expectArgs(command, call.args, 0, 1);
      const namespace = call.args[0] ?? defaultNamespace(deps.store, call.channel);
      const gated = new GatedReleases(deps.store).all(namespace);
      await call.replyPrivately(buildJobList(deps.desk.jobs(namespace), namespace, gated));
    },
  };
  return command;
}
