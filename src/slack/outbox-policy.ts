/** How long the outbox waits before trying a message again: doubling from `firstMs`, at most `maxMs`. */
export interface RetryTiming {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryTiming = { firstMs: 1_000, maxMs: 60_000 };

/** What a failed Web API call means for a message Graydesk still owes Slack. */
export type Failure =
  /** Slack is down, slow, unreachable or rate limiting: keep the message and try again. */
  | { retry: true; afterMs?: number }
  /** Slack refused the message itself (channel gone, blocks invalid): trying again cannot help. */
  | { retry: false; reason: string };

/**
 * Sorts @slack/web-api's errors: a 429 (with its Retry-After), an HTTP status other than 200 and a request that
 * never got an answer are worth retrying; an `ok: false` answer is Slack's verdict on the message, except the
 * few errors Slack documents as transient.
 */
export function classifySlackError(error: unknown): Failure {
  const e = error as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown }; message?: unknown };
  switch (e?.code) {
    case "slack_webapi_rate_limited_error":
      return { retry: true, ...(typeof e.retryAfter === "number" ? { afterMs: e.retryAfter * 1000 } : {}) };
    case "slack_webapi_http_error":
    case "slack_webapi_request_error":
      return { retry: true };
    case "slack_webapi_platform_error": {
      const reason = String(e.data?.error ?? "unknown_error");
      return TRANSIENT.has(reason) ? { retry: true } : { retry: false, reason };
    }
    default:
      return { retry: false, reason: String(e?.message ?? error) };
  }
}

const TRANSIENT = new Set([
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);

/** The wait before attempt `attempts + 1`; a rate limit's Retry-After wins when it is longer. */
export function backoffMs(attempts: number, timing: RetryTiming, failure?: Failure): number {
  const doubled = Math.min(timing.maxMs, timing.firstMs * 2 ** Math.max(0, attempts - 1));
  const asked = failure?.retry ? (failure.afterMs ?? 0) : 0;
  return Math.max(doubled, asked);
}
