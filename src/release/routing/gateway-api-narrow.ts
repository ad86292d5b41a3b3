import { ReleaseError } from "../errors.ts";
import type { HttpRouteMatch, HttpRouteRule } from "./gateway-api-types.ts";

type PathMatch = NonNullable<HttpRouteMatch["path"]>;

const isCatchAll = (path?: PathMatch) =>
  !path || (path.type !== "Exact" && path.type !== "RegularExpression" && path.value === "/");

/** Whether `path` lies under `prefix` as Gateway API's PathPrefix counts it: by whole segments. */
function under(path: string, prefix: string): boolean {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return path === prefix || path.startsWith(base) || prefix === "/";
}

/** The paths both matches take, as one path match; null when no path satisfies both. */
function bothPaths(found: PathMatch, wanted: PathMatch): PathMatch | null {
  if (found.type === "RegularExpression" || wanted.type === "RegularExpression") {
    throw new ReleaseError(
      "unsupported",
      `A rule of the service's HTTPRoute matches path ${found.value} and the condition path ${wanted.value}; one is a regular expression, so Graydesk cannot tell which requests match both. Use a header, cookie or query parameter condition.`,
      {
        fields: [
          { field: "traffic.rules", message: "A URI condition cannot be combined with this route's paths." },
        ],
      },
    );
  }
  const [a, b] = [found.value ?? "/", wanted.value ?? "/"];
  if (found.type === "Exact" && wanted.type === "Exact") return a === b ? found : null;
  if (found.type === "Exact") return under(a, b) ? found : null;
  if (wanted.type === "Exact") return under(b, a) ? wanted : null;
  if (under(a, b)) return found;
  return under(b, a) ? wanted : null;
}

/**
 * A rule's matches with the job's conditions added to each (a rule without matches takes every request).
 * A match whose path no request of the condition's path can have is left out.
 */
export function narrowed(rule: HttpRouteRule, extra: HttpRouteMatch): HttpRouteMatch[] {
  return (rule.matches ?? [{}]).flatMap((match) => {
    let path = match.path;
    if (extra.path) {
      const both = isCatchAll(match.path) ? extra.path : bothPaths(match.path as PathMatch, extra.path);
      if (!both) return [];
      path = both;
    }
    const headers = [...(match.headers ?? []), ...(extra.headers ?? [])];
    const queryParams = [...(match.queryParams ?? []), ...(extra.queryParams ?? [])];
    return [
      {
        ...match,
        ...(path ? { path } : {}),
        ...(headers.length ? { headers } : {}),
        ...(queryParams.length ? { queryParams } : {}),
      },
    ];
  });
}
