import type { NamespacePolicy } from "../../approvals/index.ts";
import type { ReleaseJob } from "../../release/index.ts";

/** Who must hear of a breach: the job's requester and the namespace's approvers, users and user groups. */
export function mentionsFor(
  job: Pick<ReleaseJob, "createdBy">,
  rules: Pick<NamespacePolicy, "approvers">,
): string[] {
  const users = new Set<string>();
  if (/^[UW][A-Z0-9]+$/.test(job.createdBy)) users.add(job.createdBy);
  for (const user of rules.approvers?.users ?? []) users.add(user);
  return [
    ...[...users].map((user) => `<@${user}>`),
    ...(rules.approvers?.groups ?? []).map((group) => `<!subteam^${group}>`),
  ];
}
