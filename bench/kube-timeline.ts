import type { KubeTestServer, RecordedRequest } from "../test/harness/kube/index.ts";

/** One API request as the test server saw it: when it arrived and when its response was finished. */
export interface TimedRequest {
  record: RecordedRequest;
  startedAt: number;
  finishedAt?: number;
}

const isWrite = (r: RecordedRequest) =>
  !["get", "list", "watch", ""].includes(r.verb) && !isDryRun(r) && r.status < 400;

/**
 * Times every request the Kubernetes test server records, in this process and without polling: the server
 * sets a record's status when its response finishes, so an accessor on `status` marks that moment.
 */
export function timeKubeRequests(kube: KubeTestServer) {
  const timed: TimedRequest[] = [];
  const waiting: { match: (r: RecordedRequest) => boolean; resolve: (at: number) => void }[] = [];
  const push = kube.requests.push.bind(kube.requests);
  kube.requests.push = (...records: RecordedRequest[]) => {
    for (const record of records) {
      const entry: TimedRequest = { record, startedAt: performance.now() };
      timed.push(entry);
      let status = record.status;
      Object.defineProperty(record, "status", {
        enumerable: true,
        get: () => status,
        set(value: number) {
          status = value;
          if (value === 0) return;
          entry.finishedAt = performance.now();
          for (const w of [...waiting]) {
            if (!w.match(record)) continue;
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(entry.finishedAt);
          }
        },
      });
    }
    return push(...records);
  };
  return {
    timed,
    reset() {
      timed.length = 0;
      kube.resetRequests();
    },
    /** Resolves with the time the next successful, non-dry-run write to `resource` (named `name`) finished. */
    nextWrite(resource: string, timeoutMs = 30_000, name?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no write to ${resource} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.push({
          match: (r) => r.resource === resource && isWrite(r) && (name === undefined || r.name === name),
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      });
    },
  };
}

/** Requests and objects written, from the server's records: reads, dry runs and writes per object changed. */
export function countRequests(records: readonly RecordedRequest[]) {
  const api = records.filter((r) => r.verb !== "");
  const writes = api.filter(isWrite);
  const objects = new Set(writes.map((r) => `${r.resource}/${r.namespace ?? ""}/${r.name ?? r.path}`));
  const byVerb: Record<string, number> = {};
  for (const r of api) {
    const key = `${isDryRun(r) ? "dryrun-" : ""}${r.verb} ${r.resource ?? "?"}`;
    byVerb[key] = (byVerb[key] ?? 0) + 1;
  }
  return {
    requests: api.length,
    reads: api.filter((r) => ["get", "list", "watch"].includes(r.verb)).length,
    dryRuns: api.filter((r) => isDryRun(r)).length,
    writes: writes.length,
    objectsChanged: objects.size,
    perObjectChanged: objects.size ? Math.round((api.length / objects.size) * 10) / 10 : api.length,
    byVerb,
  };
}

function isDryRun(r: RecordedRequest): boolean {
  return r.query?.includes("dryRun") ?? false;
}
