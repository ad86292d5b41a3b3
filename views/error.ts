import type { KnownBlock } from "@slack/types";
import { ids } from "./ids.ts";

/** An error the user can act on, shown only to them. */
export function buildError(message: string): { text: string; blocks: KnownBlock[] } {
  const text = message.length > 2900 ? `${message.slice(0, 2900)}…` : message;
  return {
    text,
    blocks: [
      { type: "section", block_id: ids.error.section, text: { type: "mrkdwn", text: `:warning: ${text}` } },
    ],
  };
}

export const GENERIC_APOLOGY =
  "Sorry, something went wrong on Graydesk's side and nothing was changed. The details are in Graydesk's log; try again in a moment.";
