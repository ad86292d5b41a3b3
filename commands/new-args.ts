import {
  CLIENT_OSES,
  type ClientOs,
  type MatchKind,
  type MatchRule,
  type ReleaseStrategy,
  type RouterKind,
  type TrafficPolicy,
  type Version,
} from "../src/release/index.ts";
import { escapeText } from "../views/escape.ts";
import { isRouterKind, routerWords } from "../views/router-names.ts";

/** What the one-line `/release new` says; the traffic is resolved once the stable version is known. */
export interface NewArgs {
  strategy: ReleaseStrategy;
  namespace: string;
  service: string;
  version: string;
  /** `image=` is keyed "" (the only container); `image.<container>=` by container name. */
  images: Record<string, string>;
  name?: string;
  replicas?: number;
  traffic?: TrafficWords;
  /** `router=`: the traffic router chosen instead of the one detected. */
  router?: RouterKind;
}

export type TrafficWords =
  | { kind: "weight"; percent: number; word: string }
  | { kind: "match"; rules: MatchRule[]; word: string }
  | { kind: "mirror"; percent: number; word: string }
  | { kind: "serve"; version: string; word: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export const STRATEGY_WORDS: readonly ReleaseStrategy[] = ["blue-green", "canary", "mirror"];
const MATCH: Record<string, MatchKind> = { "=": "exact", "^=": "prefix", "~=": "regex" };
const RULE = /^(header|cookie|query):([^=^~]+)(=|\^=|~=)(.+)$/i;
const URI = /^uri(=|\^=|~=)(.+)$/i;

/**
 * `<strategy> <namespace>/<service> version=v2 image=<image> [image.<container>=<image>] [name=<job>]
 * [replicas=N] [router=<kind>]` and the traffic: `weight=20`, conditions (`header:x-canary=always`, `^=` for a prefix, `~=`
 * for a regular expression, `cookie:user=jason`, `uri^=/api`, `os:android,ios`), `mirror=30`, `serve=v2`.
 */
export function parseNewArgs(strategy: ReleaseStrategy, words: string[]): Parsed<NewArgs> {
  const [target, ...rest] = words;
  // `<namespace>/<service>`, or `<cluster>/<namespace>/<service>` in a desk for several clusters.
  const slash = target?.lastIndexOf("/") ?? -1;
  if (!target || slash <= 0 || slash === target.length - 1 || target.includes("=")) {
    return fail(
      `Start with the service as \`<namespace>/<service>\`${target ? `, not \`${escapeText(target)}\`` : ""}.`,
    );
  }
  const args: NewArgs = {
    strategy,
    namespace: target.slice(0, slash),
    service: target.slice(slash + 1),
    version: "",
    images: {},
  };
  const rules: MatchRule[] = [];
  for (const word of rest) {
    const eq = word.indexOf("=");
    const key = eq > 0 ? word.slice(0, eq).toLowerCase() : "";
    const value = word.slice(eq + 1);
    if (key === "version") args.version = value;
    else if (key === "name") args.name = value;
    else if (key === "image") args.images[""] = value;
    else if (key === "router") {
      const kind = value.toLowerCase();
      if (!isRouterKind(kind))
        return fail(`\`${escapeText(word)}\`: there is no such traffic router; choose ${routerWords()}.`);
      args.router = kind;
    } else if (key.startsWith("image.") && key.length > 6) args.images[word.slice(6, eq)] = value;
    else if (key === "replicas") {
      if (!/^\d+$/.test(value))
        return fail(`\`${escapeText(word)}\`: replicas are a whole number, e.g. replicas=2.`);
      args.replicas = Number(value);
    } else if (key === "weight" || key === "mirror") {
      const percent = value.replace(/%$/, "");
      if (!/^\d+$/.test(percent))
        return fail(`\`${escapeText(word)}\`: give a whole percentage, e.g. ${key}=20.`);
      const kind = key === "weight" ? "weight" : "mirror";
      if (key === "weight" && strategy !== "canary")
        return fail(`\`${escapeText(word)}\`: only a canary takes a weight.`);
      if (key === "mirror" && strategy !== "mirror")
        return fail(`\`${escapeText(word)}\`: only a mirror release mirrors.`);
      args.traffic = { kind, percent: Number(percent), word };
    } else if (key === "serve") {
      if (strategy !== "blue-green")
        return fail(`\`${escapeText(word)}\`: only a blue-green release switches versions.`);
      args.traffic = { kind: "serve", version: value, word };
    } else {
      const rule = parseCondition(word);
      if (typeof rule === "string") return fail(rule);
      if (strategy !== "canary")
        return fail(`\`${escapeText(word)}\`: only a canary sends requests by conditions.`);
      rules.push(rule);
    }
  }
  if (rules.length > 0) {
    if (args.traffic)
      return fail(`\`${escapeText(args.traffic.word)}\`: give either a weight or conditions, not both.`);
    args.traffic = {
      kind: "match",
      rules,
      word: rest.filter((w) => typeof parseCondition(w) !== "string").join(" "),
    };
  }
  if (!args.version) return fail("Say which version this is, e.g. `version=v2`.");
  if (Object.keys(args.images).length === 0) return fail("Give the new image, e.g. `image=registry/app:v2`.");
  return { ok: true, value: args };
}

function parseCondition(word: string): MatchRule | string {
  const rule = RULE.exec(word);
  if (rule) {
    const [, kind, name, op, value] = rule as unknown as [string, string, string, string, string];
    return {
      kind: kind.toLowerCase() as "header" | "cookie" | "query",
      name,
      match: MATCH[op] as MatchKind,
      value,
    };
  }
  const uri = URI.exec(word);
  if (uri) return { kind: "uri", match: MATCH[uri[1] as string] as MatchKind, value: uri[2] as string };
  if (/^os:/i.test(word)) {
    const systems = word.slice(3).toLowerCase().split(",").filter(Boolean);
    if (systems.length === 0 || systems.some((s) => !CLIENT_OSES.includes(s as ClientOs)))
      return `\`${escapeText(word)}\`: name client systems from ${CLIENT_OSES.join(", ")}.`;
    return { kind: "os", systems: systems as ClientOs[] };
  }
  return `\`${escapeText(word)}\` is not an argument of /release new: use name=, version=, image=, replicas=, weight=, mirror=, serve= or a condition such as header:x-canary=always.`;
}

/** The traffic as a policy once the stable and new versions are known. */
export function trafficPolicy(
  words: TrafficWords | undefined,
  strategy: ReleaseStrategy,
  stable: Version,
  next: Version,
): TrafficPolicy | undefined {
  if (!words) return strategy === "mirror" ? { kind: "mirror", percent: 100, to: next } : undefined;
  switch (words.kind) {
    case "weight":
      return words.percent === 0
        ? undefined
        : { kind: "weights", weights: { [stable]: 100 - words.percent, [next]: words.percent } };
    case "mirror":
      return { kind: "mirror", percent: words.percent, to: next };
    case "serve":
      return { kind: "serve", version: words.version === "new" ? next : words.version };
    case "match":
      return { kind: "match", rules: words.rules, to: next };
  }
}

const fail = (problem: string): Parsed<never> => ({ ok: false, problem });
