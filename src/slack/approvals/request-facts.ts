import type { CopyFacts, NewVersionFacts } from "../../../views/approval-lead.ts";
import type { ReleaseJob } from "../../release/index.ts";

/** The approvers-channel copy (and the approvers' DMs) as stored with a request. */
export type StoredCopy = CopyFacts & { channel: string; dms?: string[] };

/** The channels whose message of a request is a copy: the approvers channel and the DMs. */
export function copyChannels(copy: CopyFacts): string[] {
  const stored = copy as Partial<StoredCopy>;
  return [...(stored.channel ? [stored.channel] : []), ...(stored.dms ?? [])];
}

/** What the job's new version runs, in the approver's terms. */
export function newVersionFacts(job: ReleaseJob): NewVersionFacts {
  const change = job.newVersion.settings.containers;
  const images =
    change.mode === "replace-image"
      ? Object.values(change.images).filter((image) => image !== "")
      : change.containers.map((c) => c.image);
  return { version: job.newVersion.version, images: [...new Set(images)], stable: job.stableVersion };
}
