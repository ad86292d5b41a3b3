import { jobListPage } from "../src/slack/desk/job-list-page.ts";
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
      if (namespace !== undefined) await deps.authorizer.require(call.actor, "jobs.list", namespace);
      // Without a namespace: only what namespaces this person may see hold. Past a page: the More button.
      await call.replyPrivately(await jobListPage(deps, call.actor, namespace));
    },
  };
  return command;
}
