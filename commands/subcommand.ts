import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Actor } from "../src/approvals/index.ts";
import type { Logger } from "../src/log.ts";

/** What a reply carries: fallback text (notifications, screen readers) and Block Kit blocks. */
export interface Reply {
  text: string;
  blocks?: KnownBlock[];
}

/** One `/release` call, parsed: every subcommand gets the same shape. */
export interface CommandCall {
  name: string;
  args: string[];
  text: string;
  user: string;
  /** Who typed the command, with their workspace: what every authorization check is asked about. */
  actor: Actor;
  channel: string;
  team: string;
  triggerId: string;
  client: WebClient;
  logger: Logger;
  /** Only the person who typed the command sees this. */
  replyPrivately(reply: Reply): Promise<void>;
}

export interface Subcommand {
  name: string;
  /** Arguments as shown in help, e.g. `<job> <percent>`. */
  usage: string;
  summary: string;
  example?: string;
  run(call: CommandCall, table: readonly Subcommand[]): Promise<void>;
}
