// A small Prometheus HTTP API client: instant and range queries, with a timeout and errors people can read.
import { escapeText, UserFacingError } from "../release/index.ts";

export interface Sample {
  metric: Record<string, string>;
  /** Prometheus sends numbers as strings; "NaN" and "+Inf" become NaN and Infinity. */
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  /** [unix milliseconds, value] pairs, oldest first. */
  points: [number, number][];
}

export interface QueryRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface PrometheusClient {
  readonly url: string;
  query(promql: string, at?: Date): Promise<Sample[]>;
  queryRange(promql: string, range: QueryRange): Promise<RangeSeries[]>;
}

export type PrometheusErrorCode =
  | "prometheus-unreachable"
  | "prometheus-timeout"
  | "prometheus-bad-query"
  | "prometheus-bad-response";

export class PrometheusError extends UserFacingError {
  declare readonly code: PrometheusErrorCode;
  constructor(code: PrometheusErrorCode, message: string, cause?: unknown) {
    super(code, message, { retryable: code !== "prometheus-bad-query", cause });
    this.name = "PrometheusError";
  }
}

export interface PrometheusClientOptions {
  url: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

interface ApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export function prometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? globalThis.fetch;

  // POST with a form body: queries covering many jobs can outgrow a URL, and Prometheus accepts both.
  async function call(path: string, params: Record<string, string>): Promise<unknown[]> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError")
        throw new PrometheusError(
          "prometheus-timeout",
          `Prometheus at ${base} did not answer within ${timeoutMs / 1000} s.`,
          error,
        );
      throw new PrometheusError(
        "prometheus-unreachable",
        `Prometheus at ${base} could not be reached.`,
        error,
      );
    }
    let body: ApiBody;
    try {
      body = (await res.json()) as ApiBody;
    } catch (error) {
      throw new PrometheusError(
        "prometheus-bad-response",
        `Prometheus at ${base} answered HTTP ${res.status} without its JSON API body; is PROMETHEUS_URL the server's root?`,
        error,
      );
    }
    if (body.status !== "success") {
      // Prometheus' own words (a proxy in front of it can put anything there) are data: escaped for mrkdwn.
      const detail = body.error !== undefined ? escapeText(String(body.error)) : `HTTP ${res.status}`;
      if (body.errorType === "bad_data" || res.status === 400 || res.status === 422)
        throw new PrometheusError("prometheus-bad-query", `Prometheus refused a query: ${detail}`);
      throw new PrometheusError("prometheus-bad-response", `Prometheus at ${base} failed: ${detail}`);
    }
    const result = body.data?.result;
    if (!Array.isArray(result))
      throw new PrometheusError(
        "prometheus-bad-response",
        `Prometheus at ${base} answered without a result list.`,
      );
    return result;
  }

  return {
    url: base,
    async query(promql, at) {
      const params: Record<string, string> = { query: promql };
      if (at) params.time = String(at.getTime() / 1000);
      const result = (await call("/api/v1/query", params)) as {
        metric?: Record<string, string>;
        value?: unknown[];
      }[];
      return result.map((r) => ({ metric: r.metric ?? {}, value: Number(r.value?.[1]) }));
    },
    async queryRange(promql, range) {
      const result = (await call("/api/v1/query_range", {
        query: promql,
        start: String(range.start.getTime() / 1000),
        end: String(range.end.getTime() / 1000),
        step: String(range.stepSeconds),
      })) as { metric?: Record<string, string>; values?: unknown[][] }[];
      return result.map((r) => ({
        metric: r.metric ?? {},
        points: (r.values ?? []).map(([t, v]) => [Number(t) * 1000, Number(v)] as [number, number]),
      }));
    },
  };
}
