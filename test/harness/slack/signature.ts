import { createHmac } from "node:crypto";

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`, as Slack signs every HTTP request. */
export function slackSignature(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  const digest = createHmac("sha256", signingSecret)
    .update(`v0:${timestampSeconds}:${rawBody}`)
    .digest("hex");
  return `v0=${digest}`;
}

/** Ways a test can spoil the signature to see the app refuse the request. */
export interface SignOverrides {
  /** `none` sends no signature headers; `wrong-secret` signs with another secret; any other string is sent as is. */
  signature?: "none" | "wrong-secret" | (string & {});
  /** Request timestamp in seconds; e.g. six minutes ago to test replay protection. */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

export function signedHeaders(
  signingSecret: string,
  rawBody: string,
  nowMs: number,
  overrides: SignOverrides = {},
): Record<string, string> {
  const timestamp = overrides.timestamp ?? Math.floor(nowMs / 1000);
  const headers: Record<string, string> = {};
  if (overrides.signature !== "none") {
    const secret = overrides.signature === "wrong-secret" ? `${signingSecret}-wrong` : signingSecret;
    const computed = slackSignature(secret, timestamp, rawBody);
    const custom = overrides.signature !== undefined && overrides.signature !== "wrong-secret";
    headers["x-slack-request-timestamp"] = String(timestamp);
    headers["x-slack-signature"] = custom ? String(overrides.signature) : computed;
  }
  if (overrides.retryNum !== undefined) headers["x-slack-retry-num"] = String(overrides.retryNum);
  if (overrides.retryReason !== undefined) headers["x-slack-retry-reason"] = overrides.retryReason;
  return { ...headers, ...overrides.headers };
}
