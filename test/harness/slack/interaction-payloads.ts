import type { Json } from "./block-kit-elements.ts";
import { type EnteredValues, type FoundElement, stateEntry, stateFrom } from "./view-state.ts";

export interface SlackActor {
  id: string;
  name: string;
}

/** The workspace a request comes from: who, where, which app. */
export interface RequestOrigin {
  user: SlackActor;
  channel: SlackActor;
  team: { id: string; domain: string };
  appId: string;
  verificationToken: string;
}

export function commandFields(
  o: RequestOrigin,
  command: string,
  text: string,
  triggerId: string,
  responseUrl: string,
): Record<string, string> {
  return {
    token: o.verificationToken,
    team_id: o.team.id,
    team_domain: o.team.domain,
    channel_id: o.channel.id,
    channel_name: o.channel.name,
    user_id: o.user.id,
    user_name: o.user.name,
    command,
    text,
    api_app_id: o.appId,
    is_enterprise_install: "false",
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

function base(o: RequestOrigin, type: string, triggerId?: string): Json {
  return {
    type,
    user: { id: o.user.id, username: o.user.name, name: o.user.name, team_id: o.team.id },
    api_app_id: o.appId,
    token: o.verificationToken,
    team: { id: o.team.id, domain: o.team.domain },
    enterprise: null,
    is_enterprise_install: false,
    ...(triggerId ? { trigger_id: triggerId } : {}),
  };
}

/** A surface an action happens on: a posted message (has `ts`), an ephemeral (`message_ts`) or a view (`id`). */
export type Surface = Json;

export function isView(surface: Surface): boolean {
  return surface.type === "modal" || surface.type === "home";
}

function where(o: RequestOrigin, surface: Surface, responseUrl: string): Json {
  if (isView(surface)) {
    return {
      container: { type: "view", view_id: surface.id },
      view: { ...surface, state: stateFrom(surface) },
    };
  }
  const channelId = typeof surface.channel === "string" ? surface.channel : o.channel.id;
  const ephemeral = surface.ts === undefined && surface.message_ts !== undefined;
  const messageTs = String(surface.ts ?? surface.message_ts);
  return {
    container: { type: "message", message_ts: messageTs, channel_id: channelId, is_ephemeral: ephemeral },
    channel: { id: channelId, name: channelId === o.channel.id ? o.channel.name : channelId },
    ...(ephemeral ? {} : { message: { type: "message", ...surface } }),
    state: { values: {} },
    response_url: responseUrl,
  };
}

/** The action Slack reports for one element; `given` is what the user picked or typed (buttons need none). */
export function actionFor(found: FoundElement, given: unknown, nowMs: number): Json {
  const { element, blockId } = found;
  const common = { action_id: element.action_id, block_id: blockId, action_ts: (nowMs / 1000).toFixed(6) };
  if (element.type === "button") {
    return {
      type: "button",
      ...common,
      text: element.text,
      ...(element.value !== undefined ? { value: element.value } : {}),
      ...(element.style !== undefined ? { style: element.style } : {}),
    };
  }
  return { ...stateEntry(element, given), ...common };
}

export function blockActions(
  o: RequestOrigin,
  surface: Surface,
  actions: Json[],
  triggerId: string,
  responseUrl: string,
): Json {
  return { ...base(o, "block_actions", triggerId), ...where(o, surface, responseUrl), actions };
}

export function viewSubmission(
  o: RequestOrigin,
  view: Json,
  entered: EnteredValues,
  triggerId: string,
): Json {
  return {
    ...base(o, "view_submission", triggerId),
    view: { ...view, state: stateFrom(view, entered) },
    response_urls: [],
  };
}

export function viewClosed(o: RequestOrigin, view: Json): Json {
  return { ...base(o, "view_closed"), view: { ...view, state: stateFrom(view) }, is_cleared: false };
}

export function blockSuggestion(
  o: RequestOrigin,
  surface: Surface,
  found: FoundElement,
  value: string,
): Json {
  const { container, view, channel, message } = where(o, surface, "");
  return {
    ...base(o, "block_suggestion"),
    container,
    ...(view ? { view } : { channel, message }),
    action_id: found.element.action_id,
    block_id: found.blockId,
    value,
  };
}

export function eventCallback(o: RequestOrigin, botUserId: string, event: Json, nowMs: number): Json {
  const seconds = Math.floor(nowMs / 1000);
  return {
    token: o.verificationToken,
    team_id: o.team.id,
    api_app_id: o.appId,
    event: { event_ts: (nowMs / 1000).toFixed(6), ...event },
    type: "event_callback",
    event_id: `Ev${seconds.toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)}`,
    event_time: seconds,
    authorizations: [{ team_id: o.team.id, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}
