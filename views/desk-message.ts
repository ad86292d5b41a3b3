import type { ActionsBlock, KnownBlock } from "@slack/types";
import { escapeText } from "./escape.ts";
import { ids } from "./ids.ts";

/**
 * A short message from Graydesk: a thread note, an ephemeral answer, an outcome. `context` is shown as typed (a
 * plan summary, conditions included), so it is escaped here; `text` is mrkdwn its callers escape.
 */
export function buildNote(
  text: string,
  options: { context?: string; actions?: ActionsBlock["elements"] } = {},
): { text: string; blocks: KnownBlock[] } {
  const body = text.length > 3000 ? `${text.slice(0, 2999)}…` : text;
  const blocks: KnownBlock[] = [
    { type: "section", block_id: ids.deskMessage.section, text: { type: "mrkdwn", text: body } },
  ];
  if (options.context) {
    blocks.push({
      type: "context",
      block_id: ids.deskMessage.context,
      elements: [{ type: "mrkdwn", text: escapeText(options.context).slice(0, 3000) }],
    });
  }
  if (options.actions && options.actions.length > 0) {
    blocks.push({ type: "actions", block_id: ids.deskMessage.actions, elements: options.actions });
  }
  return { text: body.slice(0, 3000), blocks };
}
