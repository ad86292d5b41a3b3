import type { ClientOs, MatchKind, MatchRule, ReleaseJob, TrafficPolicy } from "../src/release/index.ts";
import { CLIENT_OSES, jobVersions, validateTrafficPolicy } from "../src/release/index.ts";
import { escapeText } from "../views/escape.ts";

export type ParsedTraffic = { ok: true; traffic: TrafficPolicy } | { ok: false; problem: string };

const RULE = /^(header|cookie|query):([^=^~]+)(=|\^=|~=)(.+)$/i;
const URI = /^uri(=|\^=|~=)(.+)$/i;
const MATCH_KINDS: Record<string, MatchKind> = { "=": "exact", "^=": "prefix", "~=": "regex" };

/**
 * The traffic words of `/release shift`: `20` (percent to the new version), `v1=80 v2=20`, `mirror=30`, or
 * request conditions such as `header:x-canary=always cookie:user^=test query:beta=1 uri^=/api os:android,ios`.
 * The result is checked with the release domain's own rules.
 */
export function parseTraffic(words: string[], job: ReleaseJob): ParsedTraffic {
  const [stable, next] = jobVersions(job) as [string, string];
  const first = words[0] ?? "";
  let traffic: TrafficPolicy;
  if (words.length === 1 && /^\d+%?$/.test(first)) {
    const percent = Number(first.replace("%", ""));
    if (percent > 100) return { ok: false, problem: `${percent} % is more than all traffic (100 %).` };
    traffic = { kind: "weights", weights: { [stable]: 100 - percent, [next]: percent } };
  } else if (/^mirror=/i.test(first)) {
    if (words.length > 1) return { ok: false, problem: "`mirror=<percent>` stands alone." };
    const percent = Number(first.slice("mirror=".length).replace("%", ""));
    if (!Number.isInteger(percent))
      return { ok: false, problem: `\`${escapeText(first)}\` needs a whole percentage.` };
    traffic = { kind: "mirror", percent, to: next };
  } else if (words.every((w) => /^[^=:]+=\d+%?$/.test(w))) {
    // Typed version names are data: `__proto__=50` must reach validation as a version it refuses.
    const weights = words.map((word) => {
      const [version, value] = word.split("=") as [string, string];
      return [version, Number(value.replace("%", ""))] as const;
    });
    traffic = { kind: "weights", weights: Object.fromEntries(weights) };
  } else {
    const rules: MatchRule[] = [];
    for (const word of words) {
      const rule = parseRule(word);
      if (typeof rule === "string") return { ok: false, problem: rule };
      rules.push(rule);
    }
    traffic = { kind: "match", rules, to: next };
  }
  const errors = validateTrafficPolicy(traffic, { strategy: job.strategy, versions: [stable, next] });
  const [error] = errors;
  if (error) return { ok: false, problem: error.message };
  return { ok: true, traffic };
}

function parseRule(word: string): MatchRule | string {
  const rule = RULE.exec(word);
  if (rule) {
    const [, kind, name, op, value] = rule as unknown as [string, string, string, string, string];
    return {
      kind: kind.toLowerCase() as "header" | "cookie" | "query",
      name,
      match: MATCH_KINDS[op] as MatchKind,
      value,
    };
  }
  const uri = URI.exec(word);
  if (uri) {
    const [, op, value] = uri as unknown as [string, string, string];
    return { kind: "uri", match: MATCH_KINDS[op] as MatchKind, value };
  }
  if (/^os:/i.test(word)) {
    const systems = word.slice(3).toLowerCase().split(",").filter(Boolean);
    const unknown = systems.filter((s) => !CLIENT_OSES.includes(s as ClientOs));
    if (systems.length === 0 || unknown.length > 0)
      return `\`${escapeText(word)}\`: name client systems from ${CLIENT_OSES.join(", ")}.`;
    return { kind: "os", systems: systems as ClientOs[] };
  }
  return `\`${escapeText(word)}\` is not a percentage, a \`version=percent\` pair, \`mirror=percent\` or a condition such as \`header:x-canary=always\`.`;
}
