import { randomBytes } from "node:crypto";
import { validateHome, validateModal } from "./block-kit.ts";
import type { Json, Violation } from "./block-kit-elements.ts";
import { fail, type MethodAnswer, type OpenView, ok, str, type Workspace } from "./workspace.ts";

/** How long Slack honours a trigger_id. */
export const TRIGGER_TTL_MS = 3000;
/**
 * How long this server honours one on the wall clock (no clock passed): Slack's 3 s also holds the test process's
 * own delays, which on a loaded 2-core machine pass 3 s between a click and Graydesk's views.open. Like
 * ACK_BOUND_MS, only a trigger held for the work would be late; the 3 s rule is tested with a moved clock.
 */
export const WALL_CLOCK_TRIGGER_TTL_MS = 30_000;
const TRIGGER_FORMAT = /^\d+\.\d+\.[0-9a-f]+$/;

/** Slack keeps at most three views in a modal's stack. */
export const VIEW_STACK_LIMIT = 3;

/** A fresh trigger id, valid for views.open / views.push for the workspace's trigger TTL; `viewId` when sent from a view. */
export function issueTrigger(ws: Workspace, viewId?: string): string {
  const id = `${Math.floor(ws.now() / 1000)}.${Math.floor(Math.random() * 1e9)}.${randomBytes(12).toString("hex")}`;
  ws.triggers.set(id, { issuedAt: ws.now(), used: false, ...(viewId ? { viewId } : {}) });
  return id;
}

function useTrigger(ws: Workspace, triggerId: string | undefined): { error?: string; viewId?: string } {
  // Slack answers a malformed trigger_id the same way as a stale one.
  const trigger = triggerId && TRIGGER_FORMAT.test(triggerId) ? ws.triggers.get(triggerId) : undefined;
  if (!trigger || ws.now() - trigger.issuedAt > ws.triggerTtlMs) return { error: "expired_trigger_id" };
  if (trigger.used) return { error: "exchanged_trigger_id" };
  trigger.used = true;
  return trigger.viewId ? { viewId: trigger.viewId } : {};
}

// Slack reports schema failures as "[ERROR] <message> [json-pointer:/view/<path>]".
function invalidArguments(violations: Violation[]): MethodAnswer {
  const messages = violations.map((v) => {
    const pointer = v.path.replace(/\[(\d+)\]/g, ".$1").replace(/\./g, "/");
    return `[ERROR] ${v.message} (${v.rule}) [json-pointer:/view${pointer ? `/${pointer}` : ""}]`;
  });
  return { result: { ok: false, error: "invalid_arguments", response_metadata: { messages } }, violations };
}

function parseView(args: Json): Json | undefined {
  return typeof args.view === "object" && args.view !== null ? (args.view as Json) : undefined;
}

function checked(ws: Workspace, view: Json): { violations: Violation[]; refused?: MethodAnswer } {
  const violations = view.type === "home" ? validateHome(view) : validateModal(view);
  if (violations.length > 0 && ws.strictViews) return { violations, refused: invalidArguments(violations) };
  return { violations };
}

function store(ws: Workspace, view: Json, id: string, root: string, previous: string | null): OpenView {
  const open = {
    ...view,
    id,
    team_id: ws.bot.teamId,
    app_id: ws.bot.appId,
    bot_id: ws.bot.botId,
    hash: `${Math.floor(ws.now() / 1000)}.${randomBytes(4).toString("hex")}`,
    root_view_id: root,
    previous_view_id: previous,
    state: { values: {} },
    blocks: Array.isArray(view.blocks) ? view.blocks : [],
  } as OpenView;
  if (view.type === "home") return open;
  ws.views.set(id, open);
  return open;
}

function externalIdTaken(ws: Workspace, externalId: unknown, exceptId?: string): boolean {
  if (typeof externalId !== "string") return false;
  return [...ws.views.values()].some((v) => v.external_id === externalId && v.id !== exceptId);
}

export function openView(args: Json, ws: Workspace): MethodAnswer {
  const view = parseView(args);
  if (!view) return fail("invalid_arguments");
  const trigger = useTrigger(ws, str(args, "trigger_id"));
  if (trigger.error) return fail(trigger.error);
  const { violations, refused } = checked(ws, view);
  if (refused) return refused;
  if (externalIdTaken(ws, view.external_id)) return fail("duplicate_external_id");
  const id = ws.nextId("V");
  return ok({ view: store(ws, view, id, id, null) }, violations);
}

export function pushView(args: Json, ws: Workspace): MethodAnswer {
  const view = parseView(args);
  if (!view) return fail("invalid_arguments");
  const trigger = useTrigger(ws, str(args, "trigger_id"));
  if (trigger.error) return fail(trigger.error);
  const from = trigger.viewId ? ws.views.get(trigger.viewId) : undefined;
  const root = from?.root_view_id;
  const depth = [...ws.views.values()].filter((v) => root !== undefined && v.root_view_id === root).length;
  if (depth >= VIEW_STACK_LIMIT) return fail("push_limit_reached");
  const { violations, refused } = checked(ws, view);
  if (refused) return refused;
  const id = ws.nextId("V");
  return ok({ view: store(ws, view, id, root ?? id, from?.id ?? null) }, violations);
}

export function updateView(args: Json, ws: Workspace): MethodAnswer {
  const view = parseView(args);
  if (!view) return fail("invalid_arguments");
  const viewId = str(args, "view_id");
  const externalId = str(args, "external_id");
  const existing = viewId
    ? ws.views.get(viewId)
    : [...ws.views.values()].find((v) => externalId !== undefined && v.external_id === externalId);
  if (!existing) return fail("not_found");
  const hash = str(args, "hash");
  if (hash && hash !== existing.hash) return fail("hash_conflict");
  const { violations, refused } = checked(ws, view);
  if (refused) return refused;
  // The external_id stays attached to the view unless the update names another.
  const kept = existing.external_id !== undefined ? { external_id: existing.external_id, ...view } : view;
  const updated = store(ws, kept, existing.id, existing.root_view_id, existing.previous_view_id);
  return ok({ view: updated }, violations);
}

export function publishView(args: Json, ws: Workspace): MethodAnswer {
  const view = parseView(args);
  const user = str(args, "user_id");
  if (!view || !user) return fail("invalid_arguments");
  if (ws.users.size > 0 && !ws.users.has(user)) return fail("user_not_found");
  const existing = ws.homes.get(user);
  const hash = str(args, "hash");
  if (hash && existing && hash !== existing.hash) return fail("hash_conflict");
  const { violations, refused } = checked(ws, view);
  if (refused) return refused;
  const published = store(ws, view, existing?.id ?? ws.nextId("V"), existing?.root_view_id ?? "", null);
  published.root_view_id ||= published.id;
  ws.homes.set(user, published);
  return ok({ view: published }, violations);
}
