import { validateMessage } from "./block-kit.ts";
import type { Json, Violation } from "./block-kit-elements.ts";
import { storeMessage } from "./web-api-chat.ts";
import type { ResponseTarget, Workspace } from "./workspace.ts";

/** Slack allows five posts to one response_url. */
export const RESPONSE_URL_USES = 5;

export function createResponseTarget(ws: Workspace, target: Omit<ResponseTarget, "id"> = {}): string {
  const id = ws.nextId("R");
  ws.responseTargets.set(id, { id, ...target });
  return `${ws.baseUrl}response/${id}`;
}

export interface ResponseAnswer {
  status: number;
  body: string;
  violations: Violation[];
}

/** Applies a post to a response_url the way Slack does: replace, delete, post in channel or ephemerally. */
export function respond(ws: Workspace, id: string, body: Json, uses: number): ResponseAnswer {
  const target = ws.responseTargets.get(id);
  if (!target) return { status: 404, body: "no_active_hooks", violations: [] };
  if (uses > RESPONSE_URL_USES) return { status: 404, body: "used_url", violations: [] };
  const text = typeof body.text === "string" ? body.text : undefined;
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  const original =
    target.channel && target.messageTs ? ws.messages.get(target.channel)?.get(target.messageTs) : undefined;
  if (body.delete_original === true || body.delete_original === "true") {
    if (target.channel && target.messageTs) ws.messages.get(target.channel)?.delete(target.messageTs);
    return { status: 200, body: "ok", violations: [] };
  }
  const violations = validateMessage(blocks, text);
  if ((body.replace_original === true || body.replace_original === "true") && original) {
    storeMessage(ws, {
      ...original,
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : { blocks: [] }),
    });
  } else if (body.response_type === "in_channel" && target.channel) {
    storeMessage(ws, {
      type: "message",
      channel: target.channel,
      ts: ws.nextTs(),
      bot_id: ws.bot.botId,
      user: ws.bot.userId,
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : {}),
    });
  } else if (target.channel && target.user) {
    ws.ephemerals.push({
      channel: target.channel,
      user: target.user,
      message_ts: ws.nextTs(),
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : {}),
    });
  }
  return { status: 200, body: "ok", violations };
}
