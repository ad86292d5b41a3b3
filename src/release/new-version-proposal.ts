import type { NewVersionProposal } from "./job.ts";
import { DIFF_LIMIT, diffLines, yamlLines } from "./plan-diff.ts";

interface DeploymentLike {
  spec?: {
    replicas?: number;
    template?: {
      metadata?: unknown;
      spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
    };
  };
}

/**
 * What the approver of a new version sees before it exists: its images, its replicas and its pod template
 * against the stable version's, as a line diff (cut at the diff limit; Show objects has the whole Deployment).
 */
export function newVersionProposal(
  planId: string,
  stable: DeploymentLike,
  next: DeploymentLike,
): NewVersionProposal {
  const pod = next.spec?.template?.spec;
  const images = [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]
    .map((c) => c.image ?? "")
    .filter((image) => image !== "");
  const lines = diffLines(yamlLines(stable.spec?.template ?? {}), yamlLines(next.spec?.template ?? {}));
  let podSpecDiff = "";
  for (const [i, line] of lines.entries()) {
    if (podSpecDiff.length + line.length + 1 > DIFF_LIMIT) {
      podSpecDiff += `… ${lines.length - i} more lines not shown; Show objects has the whole Deployment.`;
      break;
    }
    podSpecDiff += `${line}\n`;
  }
  return {
    planId,
    images: [...new Set(images)],
    replicas: next.spec?.replicas ?? 1,
    podSpecDiff: podSpecDiff.trimEnd() || "  (the same pod template as the stable version)",
  };
}
