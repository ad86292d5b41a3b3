import { verdictLines } from "../../../views/analysis-text.ts";
import type { JobChange } from "../../desk/index.ts";
import { type ReleaseJob, splitView } from "../../release/index.ts";
import type { JobAnalysis } from "../../telemetry/index.ts";

/** The analysis an approval request shows, and why approving it needs a second confirmation, if it does. */
export interface RequestAnalysis {
  /** ✅ / ❌ / ⏳ per version, the new one first. */
  lines: string[];
  /** The new version's failing verdict, when the change gives it more traffic. */
  failing?: string;
}

type GateJob = Pick<ReleaseJob, "stableVersion" | "newVersion" | "traffic">;

/** Whether the change gives the new version more of the traffic users see (a mirror serves nobody). */
export function raisesNewVersion(job: GateJob, change: JobChange): boolean {
  const next = job.newVersion.version;
  switch (change.kind) {
    case "takeOver":
      return change.version === next;
    case "shift": {
      const now = splitView(job, job.traffic).served[next] ?? 0;
      const after = splitView(job, change.traffic).served[next] ?? 0;
      // Matching requests reach the new version: new when the job did not route matches to it before.
      if (change.traffic.kind === "match")
        return change.traffic.to === next && !(job.traffic.kind === "match" && job.traffic.to === next);
      return after > now;
    }
    case "rollback":
    case "takeOffline":
    case "abandon":
      return false;
  }
}

export function requestAnalysis(job: GateJob, change: JobChange, analysis: JobAnalysis): RequestAnalysis {
  const verdict = analysis.verdicts[job.newVersion.version];
  const failing = verdict?.kind === "fail" && raisesNewVersion(job, change) ? verdict.text : undefined;
  return { lines: verdictLines(analysis), ...(failing ? { failing } : {}) };
}

/** What a plain Approve is told when the request needs "approve despite failing analysis". */
export function despiteRule(failing: string): string {
  return (
    `The new version fails its analysis (${failing}), and this change gives it more traffic. ` +
    "To go ahead anyway, press *Approve despite failing analysis*; that choice is recorded in the audit trail."
  );
}
