import type { HttpMatchRequest, MeshSource, StringMatch } from "./types.ts";

/** What a route match is evaluated against: the request as the caller's sidecar sees it. */
export interface MatchInput {
  /** Lower-cased header names; `:authority` and `:method` live in their own fields. */
  headers: Record<string, string>;
  path: string;
  method: string;
  authority: string;
  port: number;
  source?: MeshSource;
}

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 512;

/** Envoy's safe_regex (RE2) must match the whole value, so the pattern is anchored on both ends. */
function fullMatchRegex(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? "i" : "-"}${pattern}`;
  let compiled = regexCache.get(key);
  if (!compiled) {
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    compiled = new RegExp(`^(?:${pattern})$`, ignoreCase ? "i" : "");
    regexCache.set(key, compiled);
  }
  return compiled;
}

export function stringMatches(match: StringMatch, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const actual = ignoreCase ? value.toLowerCase() : value;
  if (match.exact !== undefined) return actual === (ignoreCase ? match.exact.toLowerCase() : match.exact);
  if (match.prefix !== undefined)
    return actual.startsWith(ignoreCase ? match.prefix.toLowerCase() : match.prefix);
  if (match.regex !== undefined) return fullMatchRegex(match.regex, ignoreCase).test(value);
  // An empty StringMatch only asks for presence.
  return true;
}

function splitPath(path: string): { pathOnly: string; query: URLSearchParams } {
  const at = path.indexOf("?");
  if (at < 0) return { pathOnly: path, query: new URLSearchParams() };
  return { pathOnly: path.slice(0, at), query: new URLSearchParams(path.slice(at + 1)) };
}

function uriMatches(match: StringMatch, path: string, ignoreCase: boolean): boolean {
  // Envoy compares exact and regex paths without the query string; a prefix is compared with the raw :path.
  const { pathOnly } = splitPath(path);
  if (match.prefix !== undefined) return stringMatches(match, path, ignoreCase);
  return stringMatches(match, pathOnly, ignoreCase);
}

/** All conditions inside one match block must hold (AND). */
export function matchBlockHolds(block: HttpMatchRequest, input: MatchInput): boolean {
  if (block.uri && !uriMatches(block.uri, input.path, block.ignoreUriCase === true)) return false;
  if (block.method && !stringMatches(block.method, input.method)) return false;
  if (block.authority && !stringMatches(block.authority, input.authority)) return false;
  if (block.scheme && !stringMatches(block.scheme, "http")) return false;
  if (block.port !== undefined && block.port !== input.port) return false;
  for (const [name, m] of Object.entries(block.headers ?? {})) {
    if (!stringMatches(m, input.headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries(block.withoutHeaders ?? {})) {
    if (stringMatches(m, input.headers[name.toLowerCase()])) return false;
  }
  if (block.queryParams) {
    const { query } = splitPath(input.path);
    for (const [name, m] of Object.entries(block.queryParams)) {
      const value = query.get(name);
      if (!stringMatches(m, value ?? undefined)) return false;
    }
  }
  if (block.sourceNamespace !== undefined && block.sourceNamespace !== input.source?.namespace) return false;
  for (const [key, value] of Object.entries(block.sourceLabels ?? {})) {
    if (input.source?.labels[key] !== value) return false;
  }
  return true;
}

/** Match blocks are alternatives (OR); a route without any match block catches everything. */
export function routeMatches(blocks: HttpMatchRequest[] | undefined, input: MatchInput): boolean {
  if (!blocks || blocks.length === 0) return true;
  return blocks.some((block) => matchBlockHolds(block, input));
}
