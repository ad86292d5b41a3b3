import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Json, Violation } from "./block-kit-elements.ts";
import { createCallRecorder, type RecordedCall } from "./call-recorder.ts";
import { parseCall, readBody } from "./http-body.ts";
import { createResponseTarget, respond } from "./response-url.ts";
import { deleteMessage, postEphemeral, postMessage, storeMessage, updateMessage } from "./web-api-chat.ts";
import { authTest, conversationsInfo, userGroupUsers, usersInfo } from "./web-api-directory.ts";
import { completeUpload, getUploadUrl, receiveUpload } from "./web-api-files.ts";
import {
  issueTrigger,
  openView,
  publishView,
  pushView,
  TRIGGER_TTL_MS,
  updateView,
  WALL_CLOCK_TRIGGER_TTL_MS,
} from "./web-api-views.ts";
import {
  type BotIdentity,
  clearActivity,
  createWorkspace,
  DEFAULT_BOT,
  type EphemeralMessage,
  type MethodAnswer,
  type OpenView,
  type ResponseTarget,
  type SlackChannel,
  type SlackUser,
  type SlackUserGroup,
  type StoredMessage,
  type UploadedFile,
  type Workspace,
} from "./workspace.ts";

const METHODS: Record<string, (args: Json, ws: Workspace) => MethodAnswer> = {
  "auth.test": authTest,
  "chat.postMessage": postMessage,
  "chat.update": updateMessage,
  "chat.postEphemeral": postEphemeral,
  "chat.delete": deleteMessage,
  "views.open": openView,
  "views.push": pushView,
  "views.update": updateView,
  "views.publish": publishView,
  "files.getUploadURLExternal": getUploadUrl,
  "files.completeUploadExternal": completeUpload,
  "users.info": usersInfo,
  "usergroups.users.list": userGroupUsers,
  "conversations.info": conversationsInfo,
};

export type { RecordedCall } from "./call-recorder.ts";

/** An error code to answer with, or an HTTP status (429 with `retryAfter` seconds is Slack's rate limit). */
export type Failure = string | { status: number; retryAfter?: number; error?: string };

export interface SlackApiServerOptions {
  /** When true (default), views.* answer `invalid_arguments` for a view that breaks a Block Kit rule. */
  strict?: boolean;
  bot?: Partial<BotIdentity>;
  /** Extra tokens accepted besides the bot's. */
  tokens?: string[];
  /**
   * Clock in ms, for trigger expiry: a trigger older than Slack's 3 s by it is expired. Without one, the wall clock
   * and a generous bound (WALL_CLOCK_TRIGGER_TTL_MS), so a loaded machine's delays do not expire triggers.
   */
  now?: () => number;
}

export interface SlackApiServer {
  url: string;
  bot: BotIdentity;
  calls: RecordedCall[];
  violations: Violation[];
  callsTo(method: string): RecordedCall[];
  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  failNext(method: string, failure: Failure, times?: number): void;
  /**
   * Serves one more method, with its own token check (e.g. `apps.connections.open`, which takes the app-level
   * token, not the bot's). Recorded and failable like the built-in ones. Several handlers may serve a method
   * (one per app): each answers undefined for a token that is not its own, and when none answers the call is
   * `invalid_auth`.
   */
  serve(method: string, handler: (args: Json, token: string | undefined) => Json | undefined): void;
  /** From now on accept this token too (a token the workspace installs or rotates to). */
  acceptToken(token: string): void;
  setDown(mode: boolean | "503" | "drop"): void;
  setUsers(users: SlackUser[]): void;
  setUserGroups(groups: SlackUserGroup[]): void;
  setChannels(channels: SlackChannel[]): void;
  /** A trigger id good for 3 s; pass the view an interaction came from so views.push can stack on it. */
  issueTriggerId(viewId?: string): string;
  responseUrl(target?: Omit<ResponseTarget, "id">): string;
  addMessage(message: StoredMessage): void;
  messages(channel?: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  ephemerals(user?: string): EphemeralMessage[];
  view(idOrExternalId: string): OpenView | undefined;
  views(): OpenView[];
  home(user: string): OpenView | undefined;
  file(id: string): UploadedFile | undefined;
  expectNoViolations(): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startSlackApiServer(opts: SlackApiServerOptions = {}): Promise<SlackApiServer> {
  const bot = { ...DEFAULT_BOT, ...opts.bot };
  const tokens = new Set([bot.token, ...(opts.tokens ?? [])]);
  const ws = createWorkspace({
    now: opts.now ?? Date.now,
    triggerTtlMs: opts.now ? TRIGGER_TTL_MS : WALL_CLOCK_TRIGGER_TTL_MS,
    bot,
    baseUrl: "",
    strictViews: opts.strict ?? true,
  });
  const recorder = createCallRecorder();
  const { record } = recorder;
  const failures = new Map<string, Failure[]>();
  const responseUses = new Map<string, number>();
  let down: false | "503" | "drop" = false;
  const extra = new Map<string, ((args: Json, token: string | undefined) => Json | undefined)[]>();

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain" : "application/json; charset=utf-8";
    res.writeHead(status, { "content-type": type, ...headers }).end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (down === "drop") return void req.socket.destroy();
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const [, api, kind, id] = path.split("/");
    if (down === "503") return send(res, 503, "service_unavailable");
    if (api !== "api" || !kind) return send(res, 404, "not_found");
    const { args, token, files, invalidJson } = await parseCall(req, raw);
    if (kind === "response" && id) {
      const uses = (responseUses.get(id) ?? 0) + 1;
      responseUses.set(id, uses);
      const answer = respond(ws, id, args, uses);
      record({
        method: "response_url",
        target: id,
        args,
        status: answer.status,
        response: answer.body,
        violations: answer.violations,
      });
      return send(res, answer.status, answer.body);
    }
    if (kind === "upload" && id) {
      const bytes = Object.values(files)[0] ?? (typeof args.body === "string" ? Buffer.from(args.body) : raw);
      const accepted = receiveUpload(ws, id, bytes);
      const status = accepted ? 200 : 404;
      record({
        method: "upload",
        target: id,
        args: { bytes: bytes.length },
        status,
        response: "",
        violations: [],
      });
      return send(res, status, accepted ? `OK - ${bytes.length}` : "not_found");
    }
    const method = kind;
    const answer = (
      status: number,
      body: Json,
      headers?: Record<string, string>,
      found: Violation[] = [],
    ) => {
      record({ method, args, status, response: body, violations: found, ...(token ? { token } : {}) });
      send(res, status, body, headers);
    };
    const failure = failures.get(method)?.shift();
    if (failure !== undefined) {
      if (typeof failure === "string") return answer(200, { ok: false, error: failure });
      const headers: Record<string, string> =
        failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {};
      const error = failure.error ?? (failure.status === 429 ? "ratelimited" : "fatal_error");
      return answer(failure.status, { ok: false, error }, headers);
    }
    if (invalidJson) return answer(200, { ok: false, error: "invalid_json" });
    const served = extra.get(method);
    if (served) {
      for (const handler of served) {
        const result = handler(args, token);
        if (result) return answer(200, result);
      }
      return answer(200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
    }
    const handler = METHODS[method];
    if (!handler) return answer(200, { ok: false, error: "unknown_method" });
    if (!token) return answer(200, { ok: false, error: "not_authed" });
    if (!tokens.has(token)) return answer(200, { ok: false, error: "invalid_auth" });
    const result = handler(args, ws);
    return answer(200, result.result, {}, result.violations ?? []);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal_error", detail: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/api/`;
  ws.baseUrl = url;

  return {
    url,
    bot,
    calls: recorder.calls,
    violations: recorder.violations,
    callsTo: recorder.callsTo,
    waitFor: recorder.waitFor,
    expectNoViolations: recorder.expectNoViolations,
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(method, queue);
    },
    serve(method, handler) {
      extra.set(method, [...(extra.get(method) ?? []), handler]);
    },
    setDown(mode) {
      down = mode === true ? "503" : mode;
    },
    acceptToken: (token) => void tokens.add(token),
    setUsers: (users) => replaceAll(ws.users, users),
    setUserGroups: (groups) => replaceAll(ws.userGroups, groups),
    setChannels: (channels) => replaceAll(ws.channels, channels),
    issueTriggerId: (viewId) => issueTrigger(ws, viewId),
    responseUrl: (target) => createResponseTarget(ws, target),
    addMessage: (message) => storeMessage(ws, message),
    messages: (channel) =>
      channel
        ? [...(ws.messages.get(channel)?.values() ?? [])]
        : [...ws.messages.values()].flatMap((m) => [...m.values()]),
    message: (channel, ts) => ws.messages.get(channel)?.get(ts),
    ephemerals: (user) => ws.ephemerals.filter((e) => !user || e.user === user),
    view: (id) => ws.views.get(id) ?? [...ws.views.values()].find((v) => v.external_id === id),
    views: () => [...ws.views.values()],
    home: (user) => ws.homes.get(user),
    file: (id) => ws.files.get(id),
    reset() {
      recorder.clear();
      failures.clear();
      responseUses.clear();
      down = false;
      clearActivity(ws);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function replaceAll<T extends { id: string }>(map: Map<string, T>, items: T[]): void {
  map.clear();
  for (const item of items) map.set(item.id, item);
}
