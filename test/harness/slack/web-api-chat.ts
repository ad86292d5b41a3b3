import { validateMessage } from "./block-kit.ts";
import type { Json } from "./block-kit-elements.ts";
import { LIMITS } from "./limits.ts";
import { fail, type MethodAnswer, ok, type StoredMessage, str, type Workspace } from "./workspace.ts";

const blocksOf = (args: Json): unknown[] | undefined =>
  Array.isArray(args.blocks) ? args.blocks : undefined;

function knownChannel(ws: Workspace, channel: string): boolean {
  // Without a configured channel list every id is accepted, so tests need not declare channels.
  return ws.channels.size === 0 || ws.channels.has(channel) || /^[UWD]/.test(channel);
}

export function postMessage(args: Json, ws: Workspace): MethodAnswer {
  const channel = str(args, "channel");
  if (!channel) return fail("channel_not_found");
  if (!knownChannel(ws, channel)) return fail("channel_not_found");
  const text = typeof args.text === "string" ? args.text : undefined;
  const blocks = blocksOf(args);
  if (!text && !blocks?.length) return fail("no_text");
  const violations = validateMessage(blocks, text);
  const ts = ws.nextTs();
  const message: StoredMessage = {
    type: "message",
    channel,
    ts,
    user: ws.bot.userId,
    bot_id: ws.bot.botId,
    app_id: ws.bot.appId,
    team: ws.bot.teamId,
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
    ...(str(args, "thread_ts") ? { thread_ts: str(args, "thread_ts") } : {}),
    ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
  };
  storeMessage(ws, message);
  const { channel: _c, ...shown } = message;
  return ok({ channel, ts, message: shown }, violations);
}

export function storeMessage(ws: Workspace, message: StoredMessage): void {
  let byTs = ws.messages.get(message.channel);
  if (!byTs) {
    byTs = new Map();
    ws.messages.set(message.channel, byTs);
  }
  byTs.set(message.ts, message);
}

export function updateMessage(args: Json, ws: Workspace): MethodAnswer {
  const channel = str(args, "channel");
  const ts = str(args, "ts");
  if (!channel || !knownChannel(ws, channel)) return fail("channel_not_found");
  const existing = ts ? ws.messages.get(channel)?.get(ts) : undefined;
  if (!ts || !existing) return fail("message_not_found");
  if (existing.bot_id !== ws.bot.botId) return fail("cant_update_message");
  const text = typeof args.text === "string" ? args.text : undefined;
  if (text && text.length > LIMITS.updateText) return fail("msg_too_long");
  const blocks = blocksOf(args);
  const violations = validateMessage(blocks ?? existing.blocks, text ?? existing.text, {
    textLimit: LIMITS.updateText,
  });
  const updated: StoredMessage = {
    ...existing,
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
    edited: { user: ws.bot.userId, ts: ws.nextTs() },
  };
  storeMessage(ws, updated);
  const { channel: _c, ...shown } = updated;
  return ok({ channel, ts, text: updated.text ?? "", message: shown }, violations);
}

export function postEphemeral(args: Json, ws: Workspace): MethodAnswer {
  const channel = str(args, "channel");
  const user = str(args, "user");
  if (!channel || !knownChannel(ws, channel)) return fail("channel_not_found");
  if (!user) return fail("user_not_found");
  if (ws.users.size > 0 && !ws.users.has(user)) return fail("user_not_found");
  const members = ws.channels.get(channel)?.members;
  if (members && !members.includes(user)) return fail("user_not_in_channel");
  const text = typeof args.text === "string" ? args.text : undefined;
  const blocks = blocksOf(args);
  if (!text && !blocks?.length) return fail("no_text");
  if (text && text.length > LIMITS.ephemeralText) return fail("msg_too_long");
  const violations = validateMessage(blocks, text, { textLimit: LIMITS.ephemeralText });
  const message_ts = ws.nextTs();
  ws.ephemerals.push({
    channel,
    user,
    message_ts,
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
  });
  return ok({ message_ts }, violations);
}

export function deleteMessage(args: Json, ws: Workspace): MethodAnswer {
  const channel = str(args, "channel");
  const ts = str(args, "ts");
  if (!channel || !knownChannel(ws, channel)) return fail("channel_not_found");
  const existing = ts ? ws.messages.get(channel)?.get(ts) : undefined;
  if (!ts || !existing) return fail("message_not_found");
  if (existing.bot_id !== ws.bot.botId) return fail("cant_delete_message");
  ws.messages.get(channel)?.delete(ts);
  return ok({ channel, ts });
}
