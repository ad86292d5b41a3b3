import type { App } from "@slack/bolt";
import type { Logger } from "../log.ts";

/** How soon a rejected or unchecked token is tried again: doubling from `firstMs` up to `maxMs`. */
export interface TokenRetry {
  firstMs: number;
  maxMs: number;
}

const DEFAULT_RETRY: TokenRetry = { firstMs: 1_000, maxMs: 60_000 };

/** Whether Slack accepted the bot token; until it does, Graydesk runs but is not ready. */
export interface BotToken {
  /**
   * Starts checking (Bolt's own auth.test, through `app.init()`), and again with backoff until accepted;
   * resolves after the first check, or after `waitMs` if Slack is slow to answer.
   */
  start(waitMs?: number): Promise<void>;
  stop(): void;
  /** Resolves once accepted; rejects while not (waiting for a check under way, so start-up reads true). */
  accepted(): Promise<void>;
}

/**
 * A token Slack rejects (revoked, a placeholder, another workspace's) is a state, not a crash: Bolt is built with
 * `deferInitialization` so its auth.test does not run (and reject unhandled) in its constructor; this runs it,
 * logs the cause once per change, and tries again with backoff, so the process recovers when Slack accepts.
 * Until then Bolt answers requests without running listeners (its authorize is not set yet).
 */
export function watchBotToken(app: App, logger: Logger, retry: TokenRetry = DEFAULT_RETRY): BotToken {
  let state: { ok: true } | { ok: false; cause: string } = { ok: false, cause: "not checked yet" };
  let attempt: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = retry.firstMs;
  let stopped = false;

  const check = async () => {
    try {
      const auth = await app.client.auth.test();
      await app.init();
      state = { ok: true };
      logger.info({ team: auth.team, bot: auth.user_id }, "Slack accepted the bot token");
    } catch (error) {
      const cause = slackError(error);
      if (state.ok || state.cause !== cause) {
        logger.error(
          { cause },
          "Slack does not accept the bot token: Graydesk keeps running, /readyz reports Slack not ready, and it tries again",
        );
      }
      state = { ok: false, cause };
      if (!stopped) {
        timer = setTimeout(run, delay);
        timer.unref();
        delay = Math.min(delay * 2, retry.maxMs);
      }
    }
  };
  const run = () => {
    attempt = check().finally(() => {
      attempt = undefined;
    });
  };
  return {
    async start(waitMs = 5_000) {
      run();
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([attempt, new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
      clearTimeout(timeout);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    async accepted() {
      if (attempt) await attempt;
      if (!state.ok) throw new Error(`Slack does not accept the bot token (${state.cause})`);
    },
  };
}

/** Slack's error code (invalid_auth, account_inactive…) or what kept the call from Slack; never the token. */
function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === "string") return data.error;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "Slack could not be reached";
}
