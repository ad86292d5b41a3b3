import type { CustomRoute, Receiver } from "@slack/bolt";
import type { Config } from "../config.ts";
import { boltLogger, type Logger } from "../log.ts";
import type { AckFirst } from "./ack-first.ts";
import { App } from "./bolt.ts";
import { type BotToken, type TokenRetry, watchBotToken } from "./bot-token.ts";
import { guardedReceiver } from "./guarded-receiver.ts";
import { healthRoutes, type ReadinessCheck } from "./health.ts";
import { socketModeReceiver } from "./socket-mode.ts";

export interface SlackAppOptions {
  config: Config;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** More HTTP routes on the same port (the controller gates' webhooks). */
  routes?: CustomRoute[];
  /** How soon a token Slack rejected is tried again; tests shorten it. */
  tokenRetry?: TokenRetry;
  /** Told of each request (HTTP) or envelope (Socket Mode) until it is acked, so work after acks waits for a burst's acks. */
  ackFirst?: AckFirst;
}

export interface SlackApp {
  app: App;
  /** Whether Slack accepted the bot token (readiness asks it). */
  token: BotToken;
  start(): Promise<void>;
  /** Stops taking requests. In-flight work is drained by the caller. */
  stop(): Promise<void>;
}

/**
 * Builds the Bolt app: Socket Mode by default, the HTTP receiver when a signing secret and port are set.
 * /healthz and /readyz are served in both modes (in Socket Mode on PORT, beside the socket).
 */
export function createSlackApp({
  config,
  logger,
  readiness,
  routes = [],
  tokenRetry,
  ackFirst,
}: SlackAppOptions): SlackApp {
  const { slack } = config;
  const log = boltLogger(logger);
  const customRoutes = [
    ...healthRoutes([{ name: "slack", check: () => token.accepted() }, ...readiness], (name, error) =>
      logger.warn({ check: name, err: error }, "not ready"),
    ),
    ...routes,
  ];
  const receiver: Receiver =
    slack.mode === "http"
      ? guardedReceiver({
          signingSecret: slack.signingSecret as string,
          port: slack.port,
          customRoutes,
          logger: log,
          // Unmatched requests get an answer quickly instead of Slack's 3 s timeout.
          unhandledRequestTimeoutMillis: 2_000,
          ...(ackFirst ? { ackFirst } : {}),
        })
      : socketModeReceiver({
          appToken: slack.appToken as string,
          port: slack.port,
          customRoutes,
          logger: log,
          ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
          ...(ackFirst ? { ackFirst } : {}),
        });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: log,
    // Bolt's auth.test would otherwise run in this constructor and crash the process on a rejected token.
    deferInitialization: true,
    // Graydesk keeps no per-conversation state in Bolt; its default store builds (and throws away) an Error with
    // a stack trace for every request that has a channel.
    convoStore: false,
    clientOptions: {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      // Short on purpose: a dead Slack must not hold a request (or a Kubernetes change) for a minute. Messages
      // that must arrive go through the outbox, which keeps them and retries for as long as it takes; a 429 is
      // handed to the caller instead of pausing every Slack call of the process behind its Retry-After.
      retryConfig: { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 1_000 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    },
  });
  // The one place every unhandled listener error arrives: log it; listeners already told the user.
  app.error(async (error) => {
    logger.error({ err: error }, "unhandled Slack listener error");
  });
  const token = watchBotToken(app, logger, tokenRetry);
  let started = false;
  return {
    app,
    token,
    async start() {
      // The receiver directly: App#start refuses until the token is accepted, and health must answer before.
      await receiver.start(slack.port);
      started = true;
      // Requests that come before the token is accepted are acked without listeners: wait for the first check.
      await token.start();
    },
    async stop() {
      token.stop();
      if (!started) return;
      started = false;
      await receiver.stop();
    },
  };
}
