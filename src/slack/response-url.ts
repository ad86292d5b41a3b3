import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** How long an answer to a response URL may take before it counts as failed. */
export const RESPONSE_URL_TIMEOUT_MS = 5_000;

// Kept-alive connections to Slack's response URLs: a burst of answers reuses a few sockets.
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 16 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
};

/**
 * Posts a JSON message to an interaction's response URL; true when Slack took it (2xx), false when the URL is
 * not http(s), the request failed, timed out or was refused. Plain `node:http`: an answer is one small POST, and
 * this costs a fraction of `fetch`'s CPU and garbage, which matters when a burst of requests is still waiting
 * for its acks in the same process.
 */
export function postToResponseUrl(
  url: string,
  message: Record<string, unknown>,
  timeoutMs = RESPONSE_URL_TIMEOUT_MS,
): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return Promise.resolve(false);
  const body = JSON.stringify(message);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      target,
      {
        method: "POST",
        agent: agents[target.protocol as "http:" | "https:"],
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.once("end", () => resolve(status >= 200 && status < 300));
        res.once("error", () => resolve(false));
      },
    );
    req.once("timeout", () => req.destroy(new Error("response URL timed out")));
    req.once("error", () => resolve(false));
    req.end(body);
  });
}
