import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postToResponseUrl } from "../../src/slack/response-url.ts";

let server: Server;
let base: string;
const received: { path: string; type: string | undefined; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.url === "/hang") return; // never answers
      received.push({ path: req.url ?? "", type: req.headers["content-type"], body: JSON.parse(body) });
      res.writeHead(req.url === "/expired" ? 404 : 200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("postToResponseUrl", () => {
  it("posts the message as JSON and says whether Slack took it", async () => {
    expect(await postToResponseUrl(`${base}/answer`, { text: "héllo", response_type: "ephemeral" })).toBe(
      true,
    );
    expect(received.at(-1)).toEqual({
      path: "/answer",
      type: "application/json",
      body: { text: "héllo", response_type: "ephemeral" },
    });
    expect(await postToResponseUrl(`${base}/expired`, { text: "late" })).toBe(false);
  });

  it("answers false, without throwing, for a URL that is not http(s), malformed, unreachable or too slow", async () => {
    expect(await postToResponseUrl("file:///etc/passwd", { text: "x" })).toBe(false);
    expect(await postToResponseUrl("not a url", { text: "x" })).toBe(false);
    expect(await postToResponseUrl("http://127.0.0.1:1/nobody", { text: "x" })).toBe(false);
    expect(await postToResponseUrl(`${base}/hang`, { text: "x" }, 50)).toBe(false);
  });
});
