// A tiny HTTP server answering Prometheus API calls with recorded responses from test/fixtures/telemetry/.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { promql, type ServiceTarget } from "../../src/telemetry/index.ts";

const DIR = new URL("../fixtures/telemetry/", import.meta.url);

export function recorded(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`prometheus-${name}.json`, DIR), "utf8"));
}

/** Maps each query a health snapshot of `targets` sends (at `rate`) to the fixture recorded for that metric. */
export function answersFor(
  targets: ServiceTarget[],
  rate: string,
): (query: string, path: string) => string | undefined {
  const q = promql.healthQueries(targets, rate);
  const byQuery = new Map<string, string>([
    [q.rps, "request-rate"],
    [q.mirroredRps, "mirrored-rate"],
    [q.share, "served-share"],
    [q.successRate, "success-rate"],
    [q.p50, "p50"],
    [q.p90, "p90"],
    [q.p99, "p99"],
    [`${promql.servedShare(targets, rate)} * 100`, "observed-split-range"],
  ]);
  return (query) => byQuery.get(query);
}

export interface RecordedPrometheus {
  url: string;
  /** Every query received, in order, with the API path it came to. */
  received: { path: string; params: URLSearchParams }[];
  close(): Promise<void>;
}

/**
 * `answer(query, path)` names the fixture to send; `undefined` answers the recorded 400 bad_data error.
 * `mode` "hang" never answers (for timeouts), "html" answers a 200 web page instead of the API's JSON.
 */
export async function startRecordedPrometheus(
  answer: (query: string, path: string) => string | undefined,
  mode: "normal" | "hang" | "html" = "normal",
): Promise<RecordedPrometheus> {
  const received: RecordedPrometheus["received"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] as string;
      const params = new URLSearchParams(body);
      received.push({ path, params });
      if (mode === "hang") return;
      if (mode === "html") {
        res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Grafana</body></html>");
        return;
      }
      const name = answer(params.get("query") ?? "", path);
      res
        .writeHead(name === undefined ? 400 : 200, { "content-type": "application/json" })
        .end(JSON.stringify(recorded(name ?? "bad-query")));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
