import type { SlackDeps } from "../src/slack/deps.ts";

/** What the job subcommands use from the composition root. */
export type DeskCommandDeps = Pick<
  SlackDeps,
  "desk" | "approvals" | "store" | "audit" | "cards" | "authorizer" | "clock"
>;
