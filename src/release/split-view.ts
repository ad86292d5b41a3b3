import type { MatchRule, ReleaseJob, TrafficPolicy, Version } from "./job.ts";
import { jobVersions } from "./job.ts";

/** Where traffic goes, flattened for people: served percentages per version, plus mirror and match extras. */
export interface TrafficSplitView {
  served: Record<Version, number>;
  mirror?: { to: Version; percent: number };
  match?: { to: Version; rules: MatchRule[] };
}

export function splitView(
  job: Pick<ReleaseJob, "stableVersion" | "newVersion">,
  policy: TrafficPolicy,
): TrafficSplitView {
  const served = Object.fromEntries(jobVersions(job).map((version) => [version, 0]));
  switch (policy.kind) {
    case "weights":
      return { served: { ...served, ...policy.weights } };
    case "serve":
      return { served: { ...served, [policy.version]: 100 } };
    case "mirror":
      return {
        served: { ...served, [job.stableVersion]: 100 },
        mirror: { to: policy.to, percent: policy.percent },
      };
    case "match":
      return {
        served: { ...served, [job.stableVersion]: 100 },
        match: { to: policy.to, rules: policy.rules },
      };
  }
}

export function describeRule(rule: MatchRule): string {
  const how = (match: string) => (match === "exact" ? "=" : match === "prefix" ? "starts with" : "matches");
  switch (rule.kind) {
    case "header":
      return `header ${rule.name} ${how(rule.match)} ${rule.value}`;
    case "cookie":
      return `cookie ${rule.name} ${how(rule.match)} ${rule.value}`;
    case "uri":
      return `URI ${how(rule.match)} ${rule.value}`;
    case "query":
      return `query parameter ${rule.name} ${how(rule.match)} ${rule.value}`;
    case "os":
      return `client OS ${rule.systems.join(" or ")}`;
  }
}

/** One line for the approval message, e.g. "reviews: v1 80 → 20, v2 20 → 80". */
export function summarize(
  job: Pick<ReleaseJob, "service" | "stableVersion" | "newVersion">,
  before: TrafficSplitView,
  after: TrafficSplitView,
): string {
  const parts: string[] = [];
  const versions = [
    ...new Set([...jobVersions(job), ...Object.keys(before.served), ...Object.keys(after.served)]),
  ];
  for (const version of versions) {
    const from = before.served[version] ?? 0;
    const to = after.served[version] ?? 0;
    if (from !== to) parts.push(`${version} ${from} → ${to}`);
  }
  const mirrorFrom = before.mirror?.percent ?? 0;
  const mirrorTo = after.mirror?.percent ?? 0;
  if (mirrorFrom !== mirrorTo)
    parts.push(`mirror to ${after.mirror?.to ?? before.mirror?.to} ${mirrorFrom} → ${mirrorTo} %`);
  if (after.match) {
    parts.push(
      `requests with ${after.match.rules.map(describeRule).join(" and ")} → ${after.match.to}, others → ${job.stableVersion}`,
    );
  } else if (before.match) {
    parts.push("request conditions removed");
  }
  return `${job.service.name}: ${parts.length > 0 ? parts.join(", ") : "no change"}`;
}
