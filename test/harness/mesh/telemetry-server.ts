// One loopback HTTP server for what a mesh exposes to Graydesk: Prometheus /metrics and Jaeger's /api.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  failure,
  findTraces,
  JaegerQueryError,
  type JaegerResponse,
  listOperations,
  listServices,
  ok,
  parseTraceQuery,
  toJaegerTrace,
} from "./jaeger-query.ts";
import type { MetricsRegistry } from "./metrics.ts";
import type { TraceStore } from "./traces.ts";

export interface TelemetryServer {
  /** Base URL, e.g. `http://127.0.0.1:39123`; the Jaeger API lives under `/api`. */
  url: string;
  metricsUrl: string;
  jaegerUrl: string;
  /** `host:port` for a Prometheus scrape target. */
  target: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function answerJaeger(url: URL, traces: TraceStore, nowUs: number): { status: number; body: JaegerResponse } {
  const path = url.pathname;
  if (path === "/api/services") {
    const names = listServices(traces);
    return { status: 200, body: ok(names, names.length) };
  }
  const operations = path.match(/^\/api\/services\/([^/]+)\/operations$/);
  if (operations) {
    const names = listOperations(traces, decodeURIComponent(operations[1] as string));
    return { status: 200, body: ok(names, names.length) };
  }
  if (path === "/api/traces") {
    const found = findTraces(traces, parseTraceQuery(url.searchParams, nowUs));
    return { status: 200, body: ok(found.map(toJaegerTrace)) };
  }
  const byId = path.match(/^\/api\/traces\/([0-9a-fA-F]{1,32})$/);
  if (byId) {
    const trace = traces.get(byId[1] as string);
    if (!trace) return { status: 404, body: failure(404, "trace not found") };
    return { status: 200, body: ok([toJaegerTrace(trace)]) };
  }
  return { status: 404, body: failure(404, `no such endpoint ${path}`) };
}

export async function startTelemetryServer(deps: {
  metrics: MetricsRegistry;
  traces: TraceStore;
  now?: () => number;
}): Promise<TelemetryServer> {
  const now = deps.now ?? Date.now;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    try {
      if (url.pathname === "/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(deps.metrics.render());
        return;
      }
      if (url.pathname.startsWith("/api/")) {
        const answer = answerJaeger(url, deps.traces, now() * 1000);
        sendJson(res, answer.status, answer.body);
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    } catch (error) {
      if (error instanceof JaegerQueryError)
        return sendJson(res, error.status, failure(error.status, error.message));
      sendJson(res, 500, failure(500, error instanceof Error ? error.message : String(error)));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metricsUrl: `${url}/metrics`,
    jaegerUrl: url,
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
