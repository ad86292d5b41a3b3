import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseForm } from "node:querystring";
import { isValidSlackRequest } from "@slack/bolt";

/** What Slack sends to an app's request URL; anything else cannot be meant for Graydesk. */
const SLACK_TYPES = new Set([
  "block_actions",
  "block_suggestion",
  "view_submission",
  "view_closed",
  "shortcut",
  "message_action",
  "event_callback",
  "url_verification",
  "app_rate_limited",
]);

/** A signed request's body as Slack would send it, or why it is not one (pure: no I/O). */
export function checkSlackBody(
  raw: string,
  contentType: string | undefined,
): { ok: true } | { ok: false; why: string } {
  let body: unknown;
  try {
    if (contentType?.startsWith("application/json")) body = JSON.parse(raw);
    else {
      const form = parseForm(raw);
      if (typeof form.ssl_check === "string") return { ok: true };
      if (typeof form.command === "string") return { ok: true };
      body = typeof form.payload === "string" ? JSON.parse(form.payload) : undefined;
    }
  } catch {
    return { ok: false, why: "the body is not valid JSON" };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return { ok: false, why: "no JSON object" };
  const type = (body as { type?: unknown }).type;
  if (typeof type !== "string" || !SLACK_TYPES.has(type))
    return { ok: false, why: "not a Slack request type" };
  const missing = REQUIRED[type]?.find((field) => !isObject((body as Record<string, unknown>)[field]));
  if (missing) return { ok: false, why: `a ${type} without ${missing}` };
  if (type === "block_actions") {
    const actions = (body as { actions?: unknown }).actions;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every(isObject))
      return { ok: false, why: "block_actions without actions" };
  }
  return { ok: true };
}

/** Fields Bolt reads without checking; a request lacking one would throw inside Bolt. */
const REQUIRED: Record<string, string[]> = {
  block_actions: ["user"],
  block_suggestion: ["user"],
  view_submission: ["user", "view"],
  view_closed: ["user", "view"],
  event_callback: ["event"],
};

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Stands in front of Bolt's HTTP receiver. Bolt leaves a request with a `null` body unanswered (its parser throws
 * outside any handler: an unhandled rejection and a connection that hangs) and lets unknown types wait out its
 * unhandled-request timeout. Signed requests that are not Slack's shapes are answered 400 at once; the rest go
 * to Bolt with the body already read, which Bolt accepts as is (it verifies the signature again itself).
 */
export function guardSlackRequests(
  next: RequestListener,
  options: { signingSecret: string; path?: string; bodyLimit?: number },
): RequestListener {
  const path = options.path ?? "/slack/events";
  const limit = options.bodyLimit ?? 10 * 1024 * 1024;
  return (req, res) => {
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://local").pathname !== path)
      return next(req, res);
    readBody(req, limit)
      .then((raw) => {
        if (raw === undefined) return answer(res, 413);
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        const text = raw.toString("utf8");
        const signature = req.headers["x-slack-signature"];
        const timestamp = Number(req.headers["x-slack-request-timestamp"]);
        const signed =
          typeof signature === "string" &&
          Number.isFinite(timestamp) &&
          isValidSlackRequest({
            signingSecret: options.signingSecret,
            body: text,
            headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
          });
        if (!signed) return answer(res, 401);
        if (!checkSlackBody(text, req.headers["content-type"]).ok) return answer(res, 400);
        return next(req, res);
      })
      .catch(() => answer(res, 400));
  };
}

function answer(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status).end();
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
