import type { App, BlockAction } from "@slack/bolt";
import { buildError } from "../../../views/error.ts";
import { ids } from "../../../views/ids.ts";
import type { SlackDeps } from "../deps.ts";
import { answerPrivately } from "./answer.ts";

/** Every string in the ids table: the action ids some listener answers. */
export function knownIds(table: unknown = ids): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === "string") out.add(value);
    else if (value && typeof value === "object") for (const v of Object.values(value)) walk(v);
  };
  walk(table);
  return out;
}

/**
 * A press Graydesk has no listener for (an old message from an earlier version, a forged payload) is acked and
 * answered with words instead of waiting out Slack's timeout.
 */
export function registerUnknownActions(app: App, deps: Pick<SlackDeps, "logger" | "inFlight">): void {
  const known = knownIds();
  app.action<BlockAction>({ type: "block_actions" }, async ({ ack, body, action, client }) => {
    // Known ids have their own listener, which acks; Bolt runs every matching listener.
    if (known.has(action.action_id)) return;
    await ack();
    deps.logger.warn({ action: action.action_id, user: body.user.id }, "unknown action");
    const channel = body.channel?.id;
    const answer = answerPrivately(client, {
      user: body.user.id,
      ...(channel ? { channel } : {}),
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
    });
    const work = answer(
      buildError("That button belongs to something Graydesk no longer knows about. Nothing changed."),
    ).catch((error) => deps.logger.error({ err: error }, "could not answer an unknown action"));
    await deps.inFlight.track(work);
  });
}
