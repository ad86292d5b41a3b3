// A recording TLS proxy in front of the real API server: tests see which requests Graydesk made and what
// the real server answered, as they do with the test server (`requests`, the same record shape).

import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { RecordedRequest } from "../kube/server.ts";
import type { ControlPlaneKeys } from "./certs.ts";

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch" };

/** The RBAC verb and target of a request path, read as kube's request-info resolver reads it. */
export function describe(method: string, path: string, query: URLSearchParams): Partial<RecordedRequest> {
  const parts = path.split("/").filter(Boolean);
  let rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : [];
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 2) {
    namespace = rest[1];
    // `namespaces/x/status|finalize` are the namespace's own subresources.
    if (rest.length > 2 && !["status", "finalize"].includes(rest[2] ?? "")) rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (!resource) return {};
  const watch = query.get("watch") === "true" || query.get("watch") === "1";
  const verb =
    method === "GET"
      ? watch
        ? "watch"
        : name
          ? "get"
          : "list"
      : method === "DELETE"
        ? name
          ? "delete"
          : "deletecollection"
        : (VERBS[method] ?? method.toLowerCase());
  const out: Partial<RecordedRequest> = { verb, resource };
  if (namespace && resource !== "namespaces") out.namespace = namespace;
  if (name) out.name = name;
  if (subresource) out.subresource = subresource;
  return out;
}

export async function startProxy(upstream: string, keys: ControlPlaneKeys): Promise<RecordingProxy> {
  const ca = readFileSync(keys.caCert, "utf8");
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(
    { cert: readFileSync(keys.servingCert, "utf8"), key: readFileSync(keys.servingKey, "utf8") },
    (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "https://localhost");
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        verb: "",
        path: url.pathname,
        status: 0,
        ...describe(req.method ?? "GET", url.pathname, url.searchParams),
      };
      if (url.search) record.query = url.search;
      if (req.headers["content-type"]) record.contentType = req.headers["content-type"];
      requests.push(record);
      const { host: _host, ...headers } = req.headers;
      const out = request(`${upstream}${req.url ?? "/"}`, { method: req.method, headers, ca }, (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // A watch's headers come long before its first event: pass them on now, not with the first byte.
        res.flushHeaders();
        answer.pipe(res);
      });
      out.on("error", (e) => {
        record.status = 502;
        if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
        res.end(e.message);
      });
      res.on("close", () => out.destroy());
      req.pipe(out);
    },
  );
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
