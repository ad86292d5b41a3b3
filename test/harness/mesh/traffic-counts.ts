// What a batch of simulated requests looked like from the outside.

export interface SendResult {
  /** The serving pod's version; absent when the caller's sidecar answered itself (404 NR, 503 UH/NC). */
  version?: string;
  pod?: string;
  workload?: string;
  status: number;
  durationMs: number;
  responseFlags: string;
  /** Version of the first shadow copy, when the request was mirrored. */
  mirroredTo?: string;
  mirrors: { version: string; pod: string; status: number }[];
  traceId: string;
}

export interface TrafficCounts {
  total: number;
  /** Requests served per version (primary traffic only). */
  byVersion: Record<string, number>;
  /** Shadow copies per version; their responses never reach the caller. */
  mirrored: Record<string, number>;
  /** Status codes the caller saw, as strings (`"200"`, `"503"`). */
  byStatus: Record<string, number>;
  /** 503 `no healthy upstream`: the route pointed at a subset without ready pods. */
  noHealthyUpstream: number;
}

export function emptyCounts(): TrafficCounts {
  return { total: 0, byVersion: {}, mirrored: {}, byStatus: {}, noHealthyUpstream: 0 };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function addResult(counts: TrafficCounts, result: SendResult): void {
  counts.total++;
  if (result.version !== undefined) bump(counts.byVersion, result.version);
  for (const m of result.mirrors) bump(counts.mirrored, m.version);
  bump(counts.byStatus, String(result.status));
  if (result.responseFlags === "UH") counts.noHealthyUpstream++;
}

/** Share of `key` in a count map, 0..1. */
export function share(map: Record<string, number>, key: string, total?: number): number {
  const sum = total ?? Object.values(map).reduce((a, b) => a + b, 0);
  return sum === 0 ? 0 : (map[key] ?? 0) / sum;
}
