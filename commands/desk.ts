import { abandonCommand } from "./abandon.ts";
import { configCommand } from "./config.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { historyCommand } from "./history.ts";
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
  return [
    listCommand(deps),
    statusCommand(deps),
    shiftCommand(deps),
    takeOverCommand(deps),
    rollbackCommand(deps),
    offlineCommand(deps),
    historyCommand(deps),
    abandonCommand(deps),
    retryCommand(deps),
    configCommand(deps),
  ];
}
