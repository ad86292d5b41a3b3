// Whether the namespace's policy lets Graydesk move all traffic back to the stable version now. Pure.
import type { NamespacePolicy } from "../approvals/policy.ts";
import type { ReleaseJob } from "../release/index.ts";
import type { FailVerdict } from "./breach-notices.ts";
import type { JobAnalysis } from "./watch.ts";

export type RollbackJob = Pick<ReleaseJob, "state" | "traffic" | "stableVersion" | "newVersion">;

/** The failing verdict that calls for a rollback, or undefined. */
export function rollbackDue(
  job: RollbackJob,
  analysis: JobAnalysis,
  policy: Pick<NamespacePolicy, "autoRollback"> | undefined,
): FailVerdict | undefined {
  const limit = policy?.autoRollback?.afterFailedChecks;
  if (limit === undefined) return undefined;
  if (job.state !== "active" && job.state !== "taken-over") return undefined;
  const configured = analysis.since?.configured[job.newVersion.version] ?? 0;
  // Nothing to move back when the new version serves nothing (a request-parameter canary serves its matches).
  if (configured <= 0 && job.traffic.kind !== "match") return undefined;
  const verdict = analysis.verdicts[job.newVersion.version];
  if (verdict?.kind !== "fail" || verdict.failedChecks < limit) return undefined;
  return verdict;
}
