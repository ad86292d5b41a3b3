import type { ReleaseJob, TrafficPolicy, Version } from "../job.ts";
import { jobVersions } from "../job.ts";
import { versionServiceName } from "./gateway-api.ts";
import { readRouteMatch } from "./gateway-api-match.ts";
import type { HttpBackendRef, HttpRouteObject, HttpRouteRule } from "./gateway-api-types.ts";

type JobView = Pick<ReleaseJob, "service" | "stableVersion" | "newVersion" | "strategy" | "traffic">;

/** The policy the job's rules in `route` express (the inverse of desiredHttpRoute), or undefined. */
export function readHttpRoute(route: HttpRouteObject, job: JobView): TrafficPolicy | undefined {
  const versionOf = (ref: { name: string }): Version | undefined =>
    jobVersions(job).find((version) => ref.name === versionServiceName(job.service.name, version));
  const rules = route.spec.rules ?? [];
  for (const rule of rules) {
    for (const filter of rule.filters ?? []) {
      const mirror = filter.type === "RequestMirror" ? filter.requestMirror : undefined;
      const to = mirror ? versionOf(mirror.backendRef) : undefined;
      if (!mirror || !to) continue;
      const fraction = mirror.fraction;
      const percent =
        mirror.percent ??
        (fraction ? Math.round((fraction.numerator * 100) / (fraction.denominator ?? 100)) : 100);
      return { kind: "mirror", percent, to };
    }
  }
  const versioned = (rule: HttpRouteRule) => (rule.backendRefs ?? []).filter((ref) => versionOf(ref));
  const canary = rules.find((rule) => {
    const refs = versioned(rule);
    return (
      refs.length === 1 &&
      versionOf(refs[0] as HttpBackendRef) === job.newVersion.version &&
      readRouteMatch(rule.matches?.[0] ?? {}).length > 0
    );
  });
  if (canary) {
    return { kind: "match", rules: readRouteMatch(canary.matches?.[0] ?? {}), to: job.newVersion.version };
  }
  const split = rules.map(versioned).find((refs) => refs.length > 0);
  if (!split) return undefined;
  // Gateway API weights are relative (1 when left out); Graydesk writes them as percentages.
  const total = split.reduce((sum, ref) => sum + (ref.weight ?? 1), 0);
  const weights: Record<Version, number> = {};
  for (const ref of split) {
    const version = versionOf(ref) as Version;
    weights[version] = total === 0 ? 0 : Math.round(((ref.weight ?? 1) * 100) / total);
  }
  for (const version of jobVersions(job)) weights[version] ??= 0;
  const serving = Object.entries(weights).find(([, weight]) => weight === 100)?.[0];
  const preferServe = job.strategy !== "canary" || job.traffic.kind === "serve";
  if (serving && preferServe) return { kind: "serve", version: serving };
  return { kind: "weights", weights };
}
