import { GatedReleases } from "../src/controllers/index.ts";
import { jobScope } from "../src/release/index.ts";
import { buildJobList } from "../views/job-list.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { defaultNamespace } from "./job-ref.ts";
import type { CommandCall, Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

async function visibleNamespaces(
  deps: DeskCommandDeps,
  call: CommandCall,
  namespaces: string[],
): Promise<Set<string>> {
  const allowed = new Set<string>();
  for (const namespace of new Set(namespaces))
    if ((await deps.authorizer.authorize(call.actor, "jobs.list", namespace)).ok) allowed.add(namespace);
  return allowed;
}

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
      if (namespace !== undefined) await deps.authorizer.require(call.actor, "jobs.list", namespace);
      // Without a namespace: only what namespaces this person may see hold.
      const may = await visibleNamespaces(deps, call, [
        ...deps.desk.jobs(namespace).map((j) => jobScope(j)),
        ...new GatedReleases(deps.store).all(namespace).map((g) => g.namespace),
      ]);
      // With several clusters a job's namespace is judged by its cluster's policy (`cluster/namespace`).
      const jobs = deps.desk.jobs(namespace).filter((j) => may.has(jobScope(j)));
      const gated = new GatedReleases(deps.store).all(namespace).filter((g) => may.has(g.namespace));
      await call.replyPrivately(buildJobList(jobs, namespace, gated));
    },
  };
  return command;
}
