// The subset of Jaeger's query API (HTTP JSON, /api/...) Graydesk reads, answered from the trace store.
import type { Span, TagValue, Trace, TraceStore } from "./traces.ts";

export interface JaegerResponse {
  data: unknown;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string }[] | null;
}

export class JaegerQueryError extends Error {
  readonly code = "jaeger_bad_query";
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

const UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

/** Go duration strings as Jaeger accepts them: `1h`, `1.5s`, `250ms`, `2m30s`. */
export function parseDurationUs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new JaegerQueryError(`unable to parse duration ${JSON.stringify(text)}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS_US[p[2] as string] ?? 0), 0);
}

export interface TraceQuery {
  service: string;
  operation?: string;
  tags: Record<string, string>;
  limit: number;
  startUs: number;
  endUs: number;
  minDurationUs?: number;
  maxDurationUs?: number;
}

export function parseTraceQuery(params: URLSearchParams, nowUs: number): TraceQuery {
  const service = params.get("service");
  if (!service) throw new JaegerQueryError("parameter 'service' is required");
  const tags: Record<string, string> = {};
  const tagsJson = params.get("tags");
  if (tagsJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tagsJson);
    } catch {
      throw new JaegerQueryError("malformed 'tags' parameter: not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new JaegerQueryError("malformed 'tags' parameter: expected an object");
    }
    for (const [k, v] of Object.entries(parsed)) tags[k] = String(v);
  }
  for (const tag of params.getAll("tag")) {
    const at = tag.indexOf(":");
    if (at <= 0)
      throw new JaegerQueryError(`malformed 'tag' parameter ${JSON.stringify(tag)}: expected key:value`);
    tags[tag.slice(0, at)] = tag.slice(at + 1);
  }
  const endUs = params.has("end") ? Number(params.get("end")) : nowUs;
  const lookback = params.get("lookback");
  const startUs = params.has("start")
    ? Number(params.get("start"))
    : lookback && lookback !== "custom"
      ? endUs - parseDurationUs(lookback)
      : endUs - 3_600_000_000;
  const limit = params.has("limit") ? Number(params.get("limit")) : 100;
  if (![startUs, endUs, limit].every(Number.isFinite))
    throw new JaegerQueryError("start, end and limit must be numbers");
  const query: TraceQuery = { service, tags, limit, startUs, endUs };
  const operation = params.get("operation");
  if (operation) query.operation = operation;
  const minDuration = params.get("minDuration");
  if (minDuration) query.minDurationUs = parseDurationUs(minDuration);
  const maxDuration = params.get("maxDuration");
  if (maxDuration) query.maxDurationUs = parseDurationUs(maxDuration);
  return query;
}

/** Like Jaeger's span-level search: one span must satisfy service, operation, tags and duration together. */
function spanMatches(span: Span, q: TraceQuery): boolean {
  if (span.serviceName !== q.service) return false;
  if (q.operation && span.operationName !== q.operation) return false;
  if (q.minDurationUs !== undefined && span.durationUs < q.minDurationUs) return false;
  if (q.maxDurationUs !== undefined && span.durationUs > q.maxDurationUs) return false;
  return Object.entries(q.tags).every(([k, v]) => k in span.tags && String(span.tags[k]) === v);
}

export function findTraces(store: TraceStore, q: TraceQuery): Trace[] {
  const found: Trace[] = [];
  for (const trace of store.newestFirst()) {
    if (q.limit > 0 && found.length >= q.limit) break;
    // The time window applies to when the trace started, i.e. its root span.
    const startUs = Math.min(...trace.spans.map((s) => s.startTimeUs));
    if (startUs < q.startUs || startUs > q.endUs) continue;
    if (trace.spans.some((s) => spanMatches(s, q))) found.push(trace);
  }
  return found;
}

function jaegerTags(tags: Record<string, TagValue>): { key: string; type: string; value: TagValue }[] {
  return Object.entries(tags).map(([key, value]) => ({
    key,
    type: typeof value === "boolean" ? "bool" : typeof value === "number" ? "int64" : "string",
    value,
  }));
}

/** Jaeger's UI model: spans refer to their process by id, processes listed once per trace. */
export function toJaegerTrace(trace: Trace): unknown {
  const processIds = new Map<string, string>();
  const processes: Record<string, { serviceName: string; tags: unknown[] }> = {};
  const spans = trace.spans.map((span) => {
    const processKey = `${span.serviceName}|${JSON.stringify(span.processTags)}`;
    let processId = processIds.get(processKey);
    if (!processId) {
      processId = `p${processIds.size + 1}`;
      processIds.set(processKey, processId);
      processes[processId] = { serviceName: span.serviceName, tags: jaegerTags(span.processTags) };
    }
    return {
      traceID: span.traceId,
      spanID: span.spanId,
      flags: 1,
      operationName: span.operationName,
      references: span.parentSpanId
        ? [{ refType: "CHILD_OF", traceID: span.traceId, spanID: span.parentSpanId }]
        : [],
      startTime: span.startTimeUs,
      duration: span.durationUs,
      tags: jaegerTags(span.tags),
      logs: [],
      processID: processId,
      warnings: null,
    };
  });
  return { traceID: trace.traceId, spans, processes, warnings: null };
}

export function listServices(store: TraceStore): string[] {
  const names = new Set<string>();
  for (const trace of store.newestFirst()) for (const span of trace.spans) names.add(span.serviceName);
  return [...names].sort();
}

export function listOperations(store: TraceStore, service: string): string[] {
  const names = new Set<string>();
  for (const trace of store.newestFirst()) {
    for (const span of trace.spans) if (span.serviceName === service) names.add(span.operationName);
  }
  return [...names].sort();
}

export function ok(data: unknown, total = 0): JaegerResponse {
  return { data, total, limit: 0, offset: 0, errors: null };
}

export function failure(status: number, msg: string): JaegerResponse {
  return { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] };
}
