// The job's applied traffic changes, from its history: what each change configured, when, and who approved it.
import { type ReleaseJob, splitView, type TrafficPolicy } from "../release/index.ts";
import type { TrafficChange } from "./analysis.ts";

export type HistoryJob = Pick<
  ReleaseJob,
  "stableVersion" | "newVersion" | "history" | "traffic" | "createdAt"
>;

/** Kinds of history events that set routes, for jobs recorded before events carried their traffic. */
const ROUTING_KINDS = new Set(["routes-held", "routed", "shift", "takeOver", "rollback", "takeOffline"]);

export function changeOf(job: HistoryJob, at: string, traffic: TrafficPolicy, by?: string): TrafficChange {
  return {
    at: Date.parse(at),
    configured: splitView(job, traffic).served,
    ...(by ? { by } : {}),
    judgeDrift: traffic.kind === "weights" || traffic.kind === "serve",
  };
}

/** Oldest first. A job whose events carry no traffic yields one change: its last routing event, as it is now. */
export function trafficHistory(job: HistoryJob): TrafficChange[] {
  const changes = job.history
    .filter((event) => event.traffic !== undefined)
    .map((event) => changeOf(job, event.at, event.traffic as TrafficPolicy, event.actor));
  if (changes.length > 0) return changes;
  const last = job.history.filter((event) => ROUTING_KINDS.has(event.kind)).at(-1);
  return last ? [changeOf(job, last.at, job.traffic, last.actor)] : [];
}
