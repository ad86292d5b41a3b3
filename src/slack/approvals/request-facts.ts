import type { CopyFacts, NewVersionFacts } from "../../../views/approval-lead.ts";
import type { ApprovalRequest } from "../../approvals/index.ts";
import type { ReleaseJob } from "../../release/index.ts";

/** The approvers-channel copy (and the approvers' DMs) as stored with a request. */
export type StoredCopy = CopyFacts & { channel: string; dms?: string[] };

/** The channels whose message of a request is a copy: the approvers channel and the DMs. */
export function copyChannels(copy: CopyFacts): string[] {
  const stored = copy as Partial<StoredCopy>;
  return [...(stored.channel ? [stored.channel] : []), ...(stored.dms ?? [])];
}

/** Whether a request asks for the job's new version itself (policy approveNewVersions), not a traffic change. */
export function asksForNewVersion(
  job: ReleaseJob | undefined,
  request: Pick<ApprovalRequest, "planId">,
): boolean {
  return job?.proposal !== undefined && job.proposal.planId === request.planId;
}

/** What the job's new version runs, in the approver's terms; for its own request, replicas and the pod diff too. */
export function newVersionFacts(job: ReleaseJob, request?: Pick<ApprovalRequest, "planId">): NewVersionFacts {
  const proposal = job.proposal;
  if (request && proposal && asksForNewVersion(job, request))
    return {
      version: job.newVersion.version,
      images: proposal.images,
      stable: job.stableVersion,
      replicas: proposal.replicas,
      podSpecDiff: proposal.podSpecDiff,
    };
  const change = job.newVersion.settings.containers;
  const images =
    change.mode === "replace-image"
      ? Object.values(change.images).filter((image) => image !== "")
      : change.containers.map((c) => c.image);
  return { version: job.newVersion.version, images: [...new Set(images)], stable: job.stableVersion };
}
