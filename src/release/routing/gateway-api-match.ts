import type { MatchKind, MatchRule } from "../job.ts";
import type { HttpRouteMatch } from "./gateway-api-types.ts";
import { cookieRegex, prefixOfRegex, prefixRegex, readMatchRequest } from "./istio-match.ts";
import { OS_TOKENS, osUserAgentMatch } from "./user-agent.ts";

type HeaderMatch = NonNullable<HttpRouteMatch["headers"]>[number];

/**
 * Gateway API matches headers and query parameters exactly or by RegularExpression, with no prefix
 * type: a prefix becomes a regex. Exact matches leave `type` out, as Gateway API's examples do.
 */
function valueMatch(name: string, match: MatchKind, value: string): HeaderMatch {
  if (match === "exact") return { name, value };
  return { name, type: "RegularExpression", value: match === "prefix" ? prefixRegex(value) : value };
}

/**
 * One HTTPRoute match holding every condition (Gateway API ANDs the fields of a match). `exclude` is the
 * same match with User-Agent naming Android: the Linux preset must not take Android phones, and Gateway
 * API has no negative match, so a rule for `exclude` placed first sends them elsewhere.
 */
export function routeMatch(rules: MatchRule[]): { match: HttpRouteMatch; exclude?: HttpRouteMatch } {
  const headers: HeaderMatch[] = [];
  const query: HeaderMatch[] = [];
  const match: HttpRouteMatch = {};
  let exclude = false;
  for (const rule of rules) {
    switch (rule.kind) {
      case "header":
        headers.push(valueMatch(rule.name.toLowerCase(), rule.match, rule.value));
        break;
      case "cookie":
        headers.push({
          name: "cookie",
          type: "RegularExpression",
          value: cookieRegex(rule.name, rule.match, rule.value),
        });
        break;
      case "query":
        query.push(valueMatch(rule.name, rule.match, rule.value));
        break;
      case "uri":
        match.path = {
          type:
            rule.match === "exact" ? "Exact" : rule.match === "prefix" ? "PathPrefix" : "RegularExpression",
          value: rule.value,
        };
        break;
      case "os": {
        const { regex, without } = osUserAgentMatch(rule.systems);
        headers.push({ name: "user-agent", type: "RegularExpression", value: regex });
        exclude = without !== undefined;
        break;
      }
    }
  }
  if (headers.length > 0) match.headers = headers;
  if (query.length > 0) match.queryParams = query;
  if (!exclude) return { match };
  const android = `.*${OS_TOKENS.android}.*`;
  return {
    match,
    exclude: {
      ...match,
      headers: headers.map((h) => (h.name === "user-agent" ? { ...h, value: android } : h)),
    },
  };
}

/** The conditions an HTTPRoute match stands for (the inverse of routeMatch). */
export function readRouteMatch(match: HttpRouteMatch): MatchRule[] {
  const asIstio = (m: HeaderMatch) =>
    m.type === "RegularExpression" ? { regex: m.value } : { exact: m.value };
  const headers = Object.fromEntries((match.headers ?? []).map((h) => [h.name.toLowerCase(), asIstio(h)]));
  const rules = readMatchRequest({ headers }).map((rule): MatchRule => {
    if (rule.kind !== "header" || rule.match !== "regex") return rule;
    const prefix = prefixOfRegex(rule.value);
    return prefix === undefined ? rule : { ...rule, match: "prefix", value: prefix };
  });
  const path = match.path;
  // A path of PathPrefix / (the API server's default for a match without one) is no condition.
  if (
    path?.value !== undefined &&
    !(path.type !== "Exact" && path.type !== "RegularExpression" && path.value === "/")
  ) {
    const kind: MatchKind =
      path.type === "Exact" ? "exact" : path.type === "RegularExpression" ? "regex" : "prefix";
    rules.push({ kind: "uri", match: kind, value: path.value });
  }
  for (const param of match.queryParams ?? []) {
    const prefix = param.type === "RegularExpression" ? prefixOfRegex(param.value) : undefined;
    if (prefix !== undefined) rules.push({ kind: "query", name: param.name, match: "prefix", value: prefix });
    else
      rules.push({
        kind: "query",
        name: param.name,
        match: param.type === "RegularExpression" ? "regex" : "exact",
        value: param.value,
      });
  }
  return rules;
}

/** Plan notes for conditions Gateway API expresses differently from how the user wrote them. */
export function matchNotes(rules: MatchRule[]): string[] {
  const notes: string[] = [];
  if (rules.some((rule) => rule.kind === "cookie")) {
    notes.push(
      "Gateway API has no cookie match: the cookie condition is a RegularExpression on the Cookie header.",
    );
  }
  if (rules.some((rule) => (rule.kind === "header" || rule.kind === "query") && rule.match === "prefix")) {
    notes.push(
      "Gateway API matches headers and query parameters exactly or by RegularExpression: a prefix condition is written as a regular expression.",
    );
  }
  if (rules.some((rule) => rule.kind === "uri" && rule.match === "prefix")) {
    notes.push("A PathPrefix matches whole path segments: /api matches /api and /api/v2, not /apis.");
  }
  if (rules.some((rule) => rule.kind === "uri" && rule.match === "regex")) {
    notes.push(
      "Gateway API leaves the precedence of RegularExpression paths to the implementation: Istio ranks them below every PathPrefix, so a request the route's other rules take by prefix does not reach the new version.",
    );
  }
  if (
    rules.some(
      (rule) => rule.kind === "os" && rule.systems.includes("linux") && !rule.systems.includes("android"),
    )
  ) {
    notes.push(
      "Gateway API has no negative match: a rule placed first sends Android clients (whose User-Agent also says Linux) to the stable version.",
    );
  }
  return notes;
}
