import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Actor } from "../../approvals/index.ts";
import { requestLogger } from "../../log.ts";
import { actorOf } from "../actor.ts";
import type { SlackDeps } from "../deps.ts";
import { replyToError } from "../errors.ts";
import type { Reply } from "../reply.ts";
import { answerPrivately } from "./answer.ts";

export interface ActionCall {
  user: string;
  /** Who pressed, with their workspace: what every authorization check is asked about. */
  actor: Actor;
  /** The button's value: a job id or a request id. Untrusted: handlers look it up and refuse unknown ones. */
  value: string;
  channel?: string;
  triggerId: string;
  /** Pressed on the person's App Home (which is redrawn for them once the press has done its work). */
  fromHome: boolean;
  /** X-Slack-Retry-Num: Slack resent this press because an earlier ack did not arrive in time. */
  retryNum: number;
  client: WebClient;
  answer(reply: Reply): Promise<void>;
}

/**
 * Registers a button listener: ack() first, then the handler as tracked work; every failure reaches the
 * person who pressed as words (a UserFacingError's message, else an apology), never Bolt's default handler.
 */
export function onButton(
  app: App,
  deps: Pick<SlackDeps, "logger" | "inFlight">,
  actionId: string,
  handler: (call: ActionCall) => Promise<void>,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, context }) => {
    await ack();
    await deps.inFlight.afterAck(() => {
      const channel = body.channel?.id ?? body.container?.channel_id;
      const logger = requestLogger(deps.logger, {
        team: body.team?.id,
        user: body.user.id,
        channel,
        kind: "action",
      });
      const answer = answerPrivately(client, {
        user: body.user.id,
        ...(channel ? { channel } : {}),
        ...(body.response_url ? { responseUrl: body.response_url } : {}),
      });
      const call: ActionCall = {
        user: body.user.id,
        actor: actorOf(body),
        value: typeof action.value === "string" ? action.value : "",
        ...(channel ? { channel } : {}),
        triggerId: body.trigger_id,
        fromHome: body.view?.type === "home",
        retryNum: typeof context.retryNum === "number" ? context.retryNum : 0,
        client,
        answer,
      };
      logger.info({ action: actionId }, "button");
      return handler(call).catch((error) => replyToError(error, logger, answer));
    });
  });
}
