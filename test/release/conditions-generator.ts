// A small seeded generator of request conditions and of requests that meet or miss them, for the property test
// of the routes Graydesk builds. Names include JavaScript's own property names on purpose.
import type { ClientOs, MatchKind, MatchRule } from "../../src/release/index.ts";
import type { Random } from "../harness/mesh/index.ts";

const HEADER_NAMES = [
  "x-canary",
  "X-User",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "end-user",
];
const COOKIE_NAMES = ["session", "__proto__", "constructor", "beta_user"];
const QUERY_NAMES = ["q", "__proto__", "constructor", "user.id", "a~b"];
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+.^_`|~-";
const OSES: ClientOs[] = ["windows", "linux", "macos", "android", "ios"];

/** Regexes with a way to make a value each matches; a cookie pattern that can match `;` is refused by validation. */
const REGEXES: [string, (r: Random) => string][] = [
  ["a.*c", (r) => `a${word(r, "bxy", int(r, 3))}c`],
  ["[^;]*z", (r) => `${word(r, "ab", int(r, 3))}z`],
  ["[ab]+", (r) => word(r, "ab", 1 + int(r, 4))],
  ["v[0-9]", (r) => `v${int(r, 10)}`],
  ["(red|blue)-x?", (r) => `${pick(r, ["red", "blue"])}-${r() < 0.5 ? "x" : ""}`],
  ["beta[a-z]*", (r) => `beta${word(r, "xyz", int(r, 3))}`],
];
const URI_REGEXES: [string, (r: Random) => string][] = [
  ["/api/v[0-9]+", (r) => `/api/v${1 + int(r, 20)}`],
  ["/(shop|cart)/[a-z]+", (r) => `/${pick(r, ["shop", "cart"])}/${word(r, "abc", 1 + int(r, 3))}`],
];

export function int(r: Random, n: number): number {
  return Math.floor(r() * n);
}
export function pick<T>(r: Random, items: readonly T[]): T {
  return items[int(r, items.length)] as T;
}
function word(r: Random, chars: string, length: number): string {
  return Array.from({ length }, () => chars[int(r, chars.length)]).join("");
}

/** A condition on a named value, with a way to make a value that meets it. */
export interface Generated {
  rule: MatchRule;
  meet(r: Random): string;
}

function valueCondition(
  r: Random,
  uri: boolean,
): { match: MatchKind; value: string; meet(r: Random): string } {
  const match = pick(r, ["exact", "prefix", "regex"] as const);
  if (match === "regex") {
    const [value, meet] = pick(r, uri ? URI_REGEXES : REGEXES);
    return { match, value, meet };
  }
  const value = uri ? `/${word(r, "abc", 1 + int(r, 4))}` : word(r, "abc12", 1 + int(r, 5));
  return { match, value, meet: (g) => (match === "exact" ? value : `${value}${word(g, "xyz/", int(g, 3))}`) };
}

export function generateConditions(r: Random): Generated[] {
  const out: Generated[] = [];
  const count = 1 + int(r, 4);
  for (let i = 0; i < count; i++) {
    const kind = pick(r, ["header", "header", "cookie", "uri", "query", "query", "os"] as const);
    if (kind === "os") {
      const systems = OSES.filter(() => r() < 0.4);
      out.push({ rule: { kind, systems: systems.length > 0 ? systems : ["ios"] }, meet: () => "" });
      continue;
    }
    const { match, value, meet } = valueCondition(r, kind === "uri");
    if (kind === "uri") {
      out.push({ rule: { kind, match, value }, meet });
      continue;
    }
    const names = kind === "header" ? HEADER_NAMES : kind === "cookie" ? COOKIE_NAMES : QUERY_NAMES;
    const name =
      r() < 0.7 ? pick(r, names) : word(r, kind === "query" ? "abc._~-" : TOKEN_CHARS, 1 + int(r, 8));
    out.push({ rule: { kind, name, match, value }, meet });
  }
  return out;
}

/** The request parts a sidecar sees. */
export interface Request {
  headers: [string, string][];
  path: string;
  query: [string, string][];
}

/**
 * A request meeting every condition except those in `miss` (a missed condition gets a value it does not meet, or
 * is left out), with some unrelated headers, cookies and parameters around.
 */
export function requestFor(
  r: Random,
  conditions: Generated[],
  miss: Set<number>,
  agents: Record<ClientOs, string>,
): Request {
  const headers: [string, string][] = [["x-noise", word(r, "abc", 3)]];
  const cookies: string[] = [`theme=${word(r, "abc", 2)}`];
  const query: [string, string][] = [["page", String(int(r, 9))]];
  let path = `/${word(r, "xyz", 3)}`;
  let agent: string | undefined;
  conditions.forEach(({ rule, meet }, index) => {
    const missed = miss.has(index);
    const value = missed ? (r() < 0.5 ? undefined : "zz;nomatch") : meet(r);
    switch (rule.kind) {
      case "header":
        if (value !== undefined) headers.push([rule.name, value.replace(";", "")]);
        break;
      case "cookie":
        if (value !== undefined)
          cookies.splice(int(r, cookies.length + 1), 0, `${rule.name}=${value.replace(";", "")}`);
        break;
      case "uri":
        path = missed ? "/nomatch" : (value as string);
        break;
      case "query":
        if (value !== undefined) query.push([rule.name, value.replace(";", "")]);
        break;
      case "os": {
        const others = OSES.filter((os) => !rule.systems.includes(os));
        const os = missed ? (others.length > 0 ? pick(r, others) : undefined) : pick(r, rule.systems);
        agent = os ? agents[os] : "curl/8.4.0";
        break;
      }
    }
  });
  headers.push(["cookie", cookies.join("; ")]);
  if (agent) headers.push(["user-agent", agent]);
  return { headers, path, query };
}
