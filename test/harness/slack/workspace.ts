import type { Json, Violation } from "./block-kit-elements.ts";

/** Who the bot is: what `auth.test` answers and what messages it posts carry. */
export interface BotIdentity {
  token: string;
  teamId: string;
  team: string;
  userId: string;
  botId: string;
  appId: string;
  url: string;
}

export const DEFAULT_BOT: BotIdentity = {
  token: "xoxb-gd-test",
  teamId: "T0GRAYDESK",
  team: "Graydesk Test",
  userId: "U0GRAYBOT",
  botId: "B0GRAYBOT",
  appId: "A0GRAYDESK",
  url: "https://graydesk-test.slack.com/",
};

export interface SlackUser extends Json {
  id: string;
  name?: string;
}
export interface SlackUserGroup {
  id: string;
  handle?: string;
  users: string[];
}
export interface SlackChannel extends Json {
  id: string;
  name?: string;
  /** When given, chat.postEphemeral to a user outside it answers `user_not_in_channel`. */
  members?: string[];
}

/** The latest version of a message, as `conversations.history` would show it. */
export interface StoredMessage extends Json {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  bot_id?: string;
  user?: string;
}

export interface EphemeralMessage extends Json {
  channel: string;
  user: string;
  message_ts: string;
  text?: string;
  blocks?: unknown[];
}

/** A modal or home tab as Slack keeps it, with the `id` and `hash` later calls must quote. */
export interface OpenView extends Json {
  id: string;
  type: string;
  hash: string;
  blocks: unknown[];
  external_id?: string;
  callback_id?: string;
  private_metadata?: string;
  root_view_id: string;
  previous_view_id: string | null;
  team_id: string;
  app_id: string;
  bot_id: string;
  state: { values: Record<string, Record<string, unknown>> };
}

export interface UploadedFile {
  id: string;
  filename: string;
  length: number;
  altText?: string;
  bytes?: Buffer;
  title?: string;
  completed: boolean;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
}

/** Where a `response_url` leads: the message it may replace and the channel it posts to. */
export interface ResponseTarget {
  id: string;
  channel?: string;
  messageTs?: string;
  user?: string;
}

export interface MethodAnswer {
  result: Json;
  violations?: Violation[];
}

export interface Workspace {
  now: () => number;
  /** How long a trigger_id is honoured, by `now`. */
  triggerTtlMs: number;
  bot: BotIdentity;
  baseUrl: string;
  strictViews: boolean;
  users: Map<string, SlackUser>;
  userGroups: Map<string, SlackUserGroup>;
  channels: Map<string, SlackChannel>;
  messages: Map<string, Map<string, StoredMessage>>;
  ephemerals: EphemeralMessage[];
  views: Map<string, OpenView>;
  homes: Map<string, OpenView>;
  /** Trigger ids by id; `viewId` is the view the interaction came from (views.push stacks on it). */
  triggers: Map<string, { issuedAt: number; used: boolean; viewId?: string }>;
  files: Map<string, UploadedFile>;
  responseTargets: Map<string, ResponseTarget>;
  nextTs: () => string;
  nextId: (prefix: string) => string;
}

export function createWorkspace(opts: {
  now: () => number;
  triggerTtlMs: number;
  bot: BotIdentity;
  baseUrl: string;
  strictViews: boolean;
}): Workspace {
  let micros = 100;
  let counter = 0;
  return {
    ...opts,
    users: new Map(),
    userGroups: new Map(),
    channels: new Map(),
    messages: new Map(),
    ephemerals: [],
    views: new Map(),
    homes: new Map(),
    triggers: new Map(),
    files: new Map(),
    responseTargets: new Map(),
    // Slack's ts is seconds.microseconds and unique per channel; a counter keeps tests deterministic.
    nextTs: () => {
      const n = micros;
      micros += 100;
      return `${1_700_000_000 + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, "0")}`;
    },
    nextId: (prefix) => {
      counter += 1;
      return `${prefix}0${String(counter).padStart(9, "0")}`;
    },
  };
}

/** Clears everything the app did; the directory (users, groups, channels) stays. */
export function clearActivity(ws: Workspace): void {
  ws.messages.clear();
  ws.ephemerals.length = 0;
  ws.views.clear();
  ws.homes.clear();
  ws.triggers.clear();
  ws.files.clear();
  ws.responseTargets.clear();
}

export const fail = (error: string, extra: Json = {}): MethodAnswer => ({
  result: { ok: false, error, ...extra },
});
export const ok = (result: Json, violations?: Violation[]): MethodAnswer => ({
  result: { ok: true, ...result },
  ...(violations ? { violations } : {}),
});

export function str(args: Json, key: string): string | undefined {
  const v = args[key];
  if (typeof v === "string" && v.length > 0) return v;
  if (typeof v === "number") return String(v);
  return undefined;
}
