// Links into Jaeger for each version of a job's service, and the slowest and failing recent traces per version.
import { jobVersions, type Version } from "../release/index.ts";
import type { TelemetryJob } from "./job-series.ts";

/** Istio tags every sidecar span with the workload's canonical revision; Graydesk sets it to the version. */
export const VERSION_TAG = "istio.canonical_revision";
export const LOOKBACK = "1h";

export interface TraceLink {
  traceId: string;
  url: string;
  durationMs: number;
  status: string;
}

export interface VersionTraces {
  version: Version;
  /** Jaeger's search page for the version's recent traces. */
  search: string;
  /** The same search, narrowed to HTTP 500 answers. */
  errors: string;
  slowest?: TraceLink;
  failing?: TraceLink;
}

export class JaegerError extends Error {
  readonly code = "jaeger-unavailable";
}

function base(jaegerUrl: string): string {
  return jaegerUrl.replace(/\/+$/, "");
}

/** Istio names the Jaeger service `<canonical service>.<namespace>`. */
export function jaegerService(job: Pick<TelemetryJob, "namespace" | "service">): string {
  return `${job.service.name}.${job.namespace}`;
}

function searchUrl(jaegerUrl: string, service: string, tags: Record<string, string>): string {
  const params = new URLSearchParams({ service, tags: JSON.stringify(tags), lookback: LOOKBACK });
  return `${base(jaegerUrl)}/search?${params}`;
}

export function traceUrl(jaegerUrl: string, traceId: string): string {
  return `${base(jaegerUrl)}/trace/${encodeURIComponent(traceId)}`;
}

/** The search links of every version, stable first; pure. */
export function traceLinks(jaegerUrl: string, job: TelemetryJob): VersionTraces[] {
  const service = jaegerService(job);
  return jobVersions(job).map((version) => ({
    version,
    search: searchUrl(jaegerUrl, service, { [VERSION_TAG]: version }),
    errors: searchUrl(jaegerUrl, service, { [VERSION_TAG]: version, "http.status_code": "500" }),
  }));
}

interface JaegerSpan {
  traceID: string;
  duration: number;
  processID: string;
  tags?: { key: string; value: unknown }[];
}

interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The version's own span in a trace: the one its sidecar recorded with its revision tag. */
function versionSpan(trace: JaegerTrace, service: string, version: Version): JaegerSpan | undefined {
  return trace.spans.find(
    (span) =>
      trace.processes[span.processID]?.serviceName === service &&
      span.tags?.some((t) => t.key === VERSION_TAG && String(t.value) === version),
  );
}

function tag(span: JaegerSpan, key: string): string | undefined {
  const found = span.tags?.find((t) => t.key === key);
  return found === undefined ? undefined : String(found.value);
}

function failed(span: JaegerSpan): boolean {
  return tag(span, "error") === "true" || Number(tag(span, "http.status_code")) >= 500;
}

export interface RecentTracesOptions {
  jaegerUrl: string;
  limit?: number;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** Search links plus the slowest and the most recent failing trace per version, from Jaeger's query API. */
export async function recentTraces(
  options: RecentTracesOptions,
  job: TelemetryJob,
): Promise<VersionTraces[]> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const service = jaegerService(job);
  const links = traceLinks(options.jaegerUrl, job);
  return Promise.all(
    links.map(async (link) => {
      const params = new URLSearchParams({
        service,
        tags: JSON.stringify({ [VERSION_TAG]: link.version }),
        limit: String(options.limit ?? 50),
        lookback: LOOKBACK,
      });
      const url = `${base(options.jaegerUrl)}/api/traces?${params}`;
      let body: { data?: JaegerTrace[] | null; errors?: { msg: string }[] | null };
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
        body = (await res.json()) as typeof body;
        if (!res.ok || body.errors?.length)
          throw new Error(body.errors?.map((e) => e.msg).join("; ") || `HTTP ${res.status}`);
      } catch (error) {
        throw new JaegerError(
          `Traces for ${service} could not be read from Jaeger: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const found: { trace: JaegerTrace; span: JaegerSpan }[] = [];
      for (const trace of body.data ?? []) {
        const span = versionSpan(trace, service, link.version);
        if (span) found.push({ trace, span });
      }
      const asLink = ({ trace, span }: { trace: JaegerTrace; span: JaegerSpan }): TraceLink => ({
        traceId: trace.traceID,
        url: traceUrl(options.jaegerUrl, trace.traceID),
        durationMs: span.duration / 1000,
        status: tag(span, "http.status_code") ?? "unknown",
      });
      const slowest = found.reduce<(typeof found)[number] | undefined>(
        (max, f) => (max === undefined || f.span.duration > max.span.duration ? f : max),
        undefined,
      );
      // Jaeger lists newest first, so the first failing one is the most recent failure.
      const failing = found.find((f) => failed(f.span));
      return {
        ...link,
        ...(slowest ? { slowest: asLink(slowest) } : {}),
        ...(failing ? { failing: asLink(failing) } : {}),
      };
    }),
  );
}
