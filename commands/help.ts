import { buildHelp } from "../views/help.ts";
import type { Subcommand } from "./subcommand.ts";

export const help: Subcommand = {
  name: "help",
  usage: "",
  summary: "Show this command reference.",
  example: "/release help",
  async run(call, table) {
    await call.replyPrivately(buildHelp(table));
  },
};
