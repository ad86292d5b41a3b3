import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseForm } from "node:querystring";
import { isValidSlackRequest } from "./bolt.ts";

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
 * The largest body Graydesk reads. Slack's largest payload is a view_submission: the view itself (Slack refuses
 * views over 250 kB) plus its state (inputs of at most 3,000 characters each), form-encoded, where every quote,
 * brace and colon of the JSON becomes three bytes. 1 MiB holds four times the view limit, so no payload Slack
 * sends is refused, while a body Graydesk never asked for costs at most that much memory.
 */
export const BODY_LIMIT = 1024 * 1024;
/**
 * Bytes of bodies being read and not yet verified, all requests together. Each request reserves its declared
 * length before a byte is read, so Slack's requests (a few kB) keep getting through while senders of large
 * bodies wait their turn.
 */
export const UNVERIFIED_BYTES = 16 * 1024 * 1024;
/** Slack's replay window, both ways: an older or a future timestamp is refused. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Slack sends its bodies at once; a body still arriving after this long is a slow sender holding a slot. */
export const BODY_TIMEOUT_MS = 2_000;

export interface GuardOptions {
  signingSecret: string;
  path?: string;
  bodyLimit?: number;
  unverifiedBytes?: number;
  bodyTimeoutMs?: number;
  now?: () => number;
}

/**
 * Stands in front of Bolt's HTTP receiver and bounds what an unauthenticated sender can cost before anything is
 * trusted: the signature headers and the timestamp window are checked before a byte of the body is read, a body
 * without a declared length or declared over BODY_LIMIT is refused, and bodies are read only while their declared
 * sizes fit UNVERIFIED_BYTES (others wait briefly, unread). A refused request is answered 4xx at once.
 *
 * Then the body: Bolt leaves a request with a `null` body unanswered (its parser throws outside any handler: an
 * unhandled rejection and a connection that hangs) and lets unknown types wait out its unhandled-request
 * timeout. Signed requests that are not Slack's shapes are answered 400 at once; the rest go to Bolt with the
 * body already read, which Bolt accepts as is. This is the one signature check: Bolt's own is turned off behind
 * it (see guardedReceiver).
 */
export function guardSlackRequests(next: RequestListener, options: GuardOptions): RequestListener {
  const path = options.path ?? "/slack/events";
  const limit = options.bodyLimit ?? BODY_LIMIT;
  const now = options.now ?? Date.now;
  const budget = new ByteBudget(options.unverifiedBytes ?? UNVERIFIED_BYTES);
  const timeoutMs = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  return (req, res) => {
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://local").pathname !== path)
      return next(req, res);
    const headers = checkHeaders(req, now());
    if (!headers.ok) return refuse(req, res, 401, limit);
    // Slack declares every body's length; a body without one could only be measured by reading it.
    const declared = req.headers["content-length"];
    if (declared === undefined || !/^\d{1,10}$/.test(declared)) return refuse(req, res, 411, limit);
    const size = Number(declared);
    if (size > limit) return refuse(req, res, 413, limit);
    budget
      .take(size, timeoutMs)
      .then(async (taken) => {
        if (!taken) return refuse(req, res, 429, limit);
        let raw: Buffer | "too large" | "too slow";
        try {
          raw = await readBody(req, size, timeoutMs);
        } finally {
          budget.give(size);
        }
        if (raw === "too large") return refuse(req, res, 413, limit);
        if (raw === "too slow") return refuse(req, res, 408, limit);
        const text = raw.toString("utf8");
        const signed = isValidSlackRequest({
          signingSecret: options.signingSecret,
          body: text,
          headers: { "x-slack-signature": headers.signature, "x-slack-request-timestamp": headers.timestamp },
        });
        if (!signed) return refuse(req, res, 401, limit);
        if (!checkSlackBody(text, req.headers["content-type"]).ok) return refuse(req, res, 400, limit);
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        return next(req, res);
      })
      .catch(() => refuse(req, res, 400, limit));
  };
}

/** The signature headers are well formed and the timestamp is inside Slack's window (pure: no I/O). */
export function checkHeaders(
  req: Pick<IncomingMessage, "headers">,
  nowMs: number,
): { ok: true; signature: string; timestamp: number } | { ok: false } {
  const signature = req.headers["x-slack-signature"];
  const stamp = req.headers["x-slack-request-timestamp"];
  if (typeof signature !== "string" || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false };
  if (typeof stamp !== "string" || !/^\d{1,12}$/.test(stamp)) return { ok: false };
  const timestamp = Number(stamp);
  if (Math.abs(nowMs / 1000 - timestamp) > TIMESTAMP_WINDOW_SECONDS) return { ok: false };
  return { ok: true, signature, timestamp };
}

/**
 * Answers at once. A body of a size Slack could send is drained, so the connection stays usable. The rest of a
 * larger or undeclared one is never read: it waits in the sender's socket (TCP holds it back), not in memory, and
 * costs no CPU while the sender reads the answer and goes. Such a connection is closed for writing after the
 * answer (so it is not reused) but not reset while the sender may still be writing (it would lose the answer);
 * one that stays is cut off after ten seconds.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, limit: number): void {
  if (res.headersSent) return;
  req.on("error", () => undefined);
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared <= limit) req.resume();
  else if (!req.complete) {
    // Counts as read, so Node does not drain the body after the answer (it would read all of it to discard it).
    req.pause();
    req.read(0);
    // What the socket's first read already brought of the body (up to 64 KiB: a slice holding the whole read
    // buffer) would sit in the request until the connection is cut: 500 such senders held 35-57 MB. It is
    // dropped as the parser hands it over; answering false still stops the socket (TCP holds the rest back).
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => (chunk === null ? push(null, encoding) : false);
    const socket = req.socket;
    // After a `Connection: close` answer Node calls destroySoon(), or end() when a socket has none: end() only.
    Object.defineProperty(socket, "destroySoon", { value: undefined });
    const timer = setTimeout(() => socket.destroy(), 10_000);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    res.setHeader("connection", "close");
  }
  res.writeHead(status, { "content-length": "0" }).end();
}

/** Reads at most `limit` bytes within `timeoutMs`; stops reading (and holds nothing) past either. */
function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<Buffer | "too large" | "too slow"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | "too large" | "too slow") => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      if (typeof result === "string") {
        chunks.length = 0;
        req.pause();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done("too large");
      else chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks));
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => done("too slow"), timeoutMs);
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** Bytes that may be held at once; takers wait a while for room (never long, never without end), then give up. */
class ByteBudget {
  private free: number;
  private readonly waiting: { size: number; grant: (taken: boolean) => void }[] = [];
  constructor(bytes: number) {
    this.free = bytes;
  }
  take(size: number, timeoutMs: number): Promise<boolean> {
    if (this.waiting.length === 0 && size <= this.free) {
      this.free -= size;
      return Promise.resolve(true);
    }
    // Each waiter is one open socket whose body stays in the kernel, unread: cheap, but bounded anyway.
    if (this.waiting.length >= MAX_WAITING) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        size,
        grant: (taken: boolean) => {
          clearTimeout(timer);
          resolve(taken);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(false);
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }
  give(size: number): void {
    this.free += size;
    // Whoever fits goes next, in arrival order: a small request is not held behind a large one.
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i] as (typeof this.waiting)[number];
      if (waiter.size > this.free) {
        i++;
        continue;
      }
      this.free -= waiter.size;
      this.waiting.splice(i, 1);
      waiter.grant(true);
    }
  }
}

const MAX_WAITING = 1_000;
