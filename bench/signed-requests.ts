import type { Json } from "../test/harness/slack/block-kit-elements.ts";
import type { SlackApiServer, StoredMessage } from "../test/harness/slack/index.ts";
import {
  actionFor,
  blockActions,
  commandFields,
  type RequestOrigin,
  type SlackActor,
} from "../test/harness/slack/interaction-payloads.ts";
import { signedHeaders } from "../test/harness/slack/signature.ts";
import { findElement } from "../test/harness/slack/view-state.ts";

/** A request ready to send: built and signed up front, so the process that sends it does no Slack work. */
export interface SignedRequest {
  kind: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Builds signed slash commands and button clicks as Slack would send them, with trigger ids and response URLs
 * the Web API test server accepts.
 */
export function signedRequests(api: SlackApiServer, signingSecret: string, channel: string) {
  const origin = (user: SlackActor): RequestOrigin => ({
    user,
    channel: { id: channel, name: channel.toLowerCase() },
    team: { id: api.bot.teamId, domain: "graydesk-bench" },
    appId: api.bot.appId,
    verificationToken: "graydesk-verification-token",
  });
  const sign = (kind: string, body: string): SignedRequest => ({
    kind,
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...signedHeaders(signingSecret, body, Date.now()),
    },
  });
  return {
    command(kind: string, user: SlackActor, text: string): SignedRequest {
      const url = api.responseUrl({ channel, user: user.id });
      const fields = commandFields(origin(user), "/release", text, api.issueTriggerId(), url);
      return sign(kind, new URLSearchParams(fields).toString());
    },
    click(kind: string, user: SlackActor, message: StoredMessage, actionId: string): SignedRequest {
      const surface = message as unknown as Json;
      const action = actionFor(findElement(surface, actionId), undefined, Date.now());
      const url = api.responseUrl({ channel, user: user.id, messageTs: String(message.ts) });
      const payload = blockActions(origin(user), surface, [action], api.issueTriggerId(), url);
      return sign(kind, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
  };
}
