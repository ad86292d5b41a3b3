import { abandonCommand } from "./abandon.ts";
import { configCommand } from "./config.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { historyCommand } from "./history.ts";
import { defaultNamespace } from "./job-ref.ts";
import { listCommand } from "./list.ts";
import { offlineCommand } from "./offline.ts";
import { retryCommand } from "./retry.ts";
import { rollbackCommand } from "./rollback.ts";
import { shiftCommand } from "./shift.ts";
import { statusCommand } from "./status.ts";
import type { Subcommand } from "./subcommand.ts";
import { takeOverCommand } from "./take-over.ts";

/** The job subcommands, in the order help lists them. */
export function deskCommands(deps: DeskCommandDeps): Subcommand[] {
  const commands = [
    listCommand(deps),
    statusCommand(deps),
    shiftCommand(deps),
    takeOverCommand(deps),
    rollbackCommand(deps),
    offlineCommand(deps),
    historyCommand(deps),
    abandonCommand(deps),
    retryCommand(deps),
  ];
  return [...commands.map((command) => withConsoleJobs(deps, command)), configCommand(deps)];
}

/**
 * Jobs made in the KubeSphere console become jobs here before a command looks one up by name, in the namespace
 * the command names (`list bookinfo`, `status bookinfo/reviews`), the channel's, or else every namespace.
 */
function withConsoleJobs(deps: DeskCommandDeps, command: Subcommand): Subcommand {
  return {
    ...command,
    async run(call, table) {
      const first = call.args[0];
      // `namespace/job`, or `cluster/namespace/job` in a desk for several clusters: all but the job's name.
      const named =
        command.name === "list"
          ? first
          : first?.includes("/")
            ? first.slice(0, first.lastIndexOf("/"))
            : undefined;
      await deps.desk.adoptConsoleJobs(named || defaultNamespace(deps.store, call.channel));
      return command.run(call, table);
    },
  };
}
