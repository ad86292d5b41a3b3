import type { JobChange } from "../../desk/index.ts";
import type { ReleaseJob } from "../../release/index.ts";
import { describeTraffic } from "./traffic-words.ts";

/** A change in the user's words, as approval requests and the audit log name it. */
export function describeChange(change: JobChange): string {
  switch (change.kind) {
    case "shift":
      return `shift traffic to ${describeTraffic(change.traffic)}`;
    case "takeOver":
      return `let ${change.version} take over all traffic`;
    case "rollback":
      return "roll back to the stable version";
    case "takeOffline":
      return `take the job offline keeping ${change.keep}`;
    case "abandon":
      return "abandon the failed job: the stable version keeps all traffic, the new version and the job's objects are removed";
  }
}

/** Changes that move all traffic and are hard to undo ask the approver to confirm. */
export function needsConfirm(change: JobChange): boolean {
  return change.kind === "takeOver" || change.kind === "takeOffline" || change.kind === "abandon";
}

/** A new version's own request, as approval messages and the audit log name it. */
export function newVersionOperation(job: ReleaseJob): string {
  return `deploy new version ${job.newVersion.version} of ${job.service.name} beside ${job.stableVersion}`;
}
