import { describe, expect, it } from "vitest";
import type { MatchRule, StrategyContext, TrafficPolicy } from "../../src/release/index.ts";
import { re2Problem, validateTrafficPolicy } from "../../src/release/index.ts";

const canary: StrategyContext = { strategy: "canary", versions: ["v1", "v2"] };
const match = (rules: MatchRule[]): TrafficPolicy => ({ kind: "match", rules, to: "v2" });

describe("canary weights", () => {
  it.each([
    [{ v1: 50, v2: 50 }, canary],
    [{ v1: 83, v2: 17 }, canary],
    [{ v1: 100, v2: 0 }, canary],
    [{ v1: 77, v2: 23 }, canary],
    [{ v1: 93, v2: 7 }, canary],
  ])("accepts %o (any whole percent: the wizard and /release shift share the rule)", (weights, context) => {
    expect(validateTrafficPolicy({ kind: "weights", weights }, context)).toEqual([]);
  });
  it.each([
    [
      { v1: 50, v2: 40 },
      canary,
      "traffic.weights",
      "Traffic shares must add up to 100 %; these add up to 90 %.",
    ],
    [
      { v1: 101, v2: -1 },
      canary,
      "traffic.weights.v1",
      "Traffic shares are whole percentages from 0 to 100.",
    ],
    [
      { v1: 50.5, v2: 49.5 },
      canary,
      "traffic.weights.v1",
      "Traffic shares are whole percentages from 0 to 100.",
    ],
    [{ v1: 50, v3: 50 }, canary, "traffic.weights.v3", "v3 is not a version of this job; use v1 or v2."],
  ])("refuses %o", (weights, context, field, message) => {
    expect(validateTrafficPolicy({ kind: "weights", weights }, context)[0]).toEqual({ field, message });
  });
});

describe("match rules", () => {
  it("accepts names JavaScript objects already have: conditions are data, not object keys", () => {
    const rules: MatchRule[] = [
      { kind: "header", name: "__proto__", match: "exact", value: "1" },
      { kind: "cookie", name: "constructor", match: "exact", value: "1" },
      { kind: "query", name: "__proto__", match: "exact", value: "1" },
    ];
    expect(validateTrafficPolicy(match(rules), canary)).toEqual([]);
  });
  it("accepts every kind of condition", () => {
    const rules: MatchRule[] = [
      { kind: "header", name: "end-user", match: "exact", value: "jason" },
      { kind: "cookie", name: "user", match: "prefix", value: "beta" },
      { kind: "uri", match: "prefix", value: "/api/v2" },
      { kind: "os", systems: ["android", "ios"] },
    ];
    expect(validateTrafficPolicy(match(rules), canary)).toEqual([]);
  });
  it.each<[MatchRule[], string, string]>([
    [
      [],
      "traffic.rules",
      "Add at least one condition: a header, cookie, URI, query parameter or operating system.",
    ],
    [
      [{ kind: "header", name: "end user", match: "exact", value: "x" }],
      "traffic.rules[0].name",
      "Header names use letters, digits and - (no spaces or colons).",
    ],
    [
      [{ kind: "header", name: "authority", match: "exact", value: "x" }],
      "traffic.rules[0].name",
      "The mesh ignores a authority header condition; use a URI condition.",
    ],
    [
      [{ kind: "header", name: "x-id", match: "exact", value: "" }],
      "traffic.rules[0].value",
      "Enter the value to match.",
    ],
    [
      [{ kind: "header", name: "x-id", match: "like" as never, value: "a" }],
      "traffic.rules[0].match",
      "Match exactly, by prefix, or by regular expression.",
    ],
    [
      [{ kind: "header", name: "x".repeat(129), match: "exact", value: "a" }],
      "traffic.rules[0].name",
      "Header names are at most 128 characters.",
    ],
    [
      [{ kind: "cookie", name: "c".repeat(129), match: "exact", value: "a" }],
      "traffic.rules[0].name",
      "Cookie names are at most 128 characters.",
    ],
    [
      [{ kind: "query", name: "q".repeat(129), match: "exact", value: "a" }],
      "traffic.rules[0].name",
      "Query parameter names are at most 128 characters.",
    ],
    [
      [{ kind: "header", name: "x-id", match: "exact", value: "v".repeat(1025) }],
      "traffic.rules[0].value",
      "Values to match are at most 1024 characters.",
    ],
    [
      [
        { kind: "uri", match: "prefix", value: "/api" },
        { kind: "uri", match: "exact", value: "/shop" },
      ],
      "traffic.rules[1]",
      "A request has one URI; keep a single URI condition.",
    ],
    [
      [{ kind: "cookie", name: "user", match: "regex", value: "a.*c" }],
      "traffic.rules[0].value",
      "A cookie pattern cannot use . or anything else that matches ; (it would run into the next cookie): use a class such as [^;]* or [a-z0-9]*.",
    ],
    [
      [{ kind: "cookie", name: "us;er", match: "exact", value: "a" }],
      "traffic.rules[0].name",
      "Cookie names use letters, digits and - _ . (no spaces, = or ;).",
    ],
    [
      [{ kind: "cookie", name: "user", match: "exact", value: "a b" }],
      "traffic.rules[0].value",
      "Cookie values cannot contain spaces, quotes, commas, semicolons or \\.",
    ],
    [
      [{ kind: "uri", match: "exact", value: "api" }],
      "traffic.rules[0].value",
      "URIs start with /, e.g. /api/v2.",
    ],
    [
      [{ kind: "uri", match: "regex", value: "/api/(?=v2)" }],
      "traffic.rules[0].value",
      "Lookahead and lookbehind like (?=…) are not supported by the mesh (RE2).",
    ],
    [
      [{ kind: "header", name: "x", match: "regex", value: "(a)\\1" }],
      "traffic.rules[0].value",
      "Backreferences like \\1 are not supported by the mesh (RE2).",
    ],
    [
      [{ kind: "header", name: "x", match: "regex", value: "(a" }],
      "traffic.rules[0].value",
      "This regular expression does not compile; check brackets and escapes.",
    ],
    [
      [{ kind: "os", systems: ["beos" as never] }],
      "traffic.rules[0].systems",
      "Choose among Windows, Linux, macOS, Android and iOS.",
    ],
    [
      [
        { kind: "header", name: "X-Id", match: "exact", value: "a" },
        { kind: "header", name: "x-id", match: "exact", value: "b" },
      ],
      "traffic.rules[1].name",
      "Header x-id already has a condition; keep one per header.",
    ],
    [
      [
        { kind: "cookie", name: "a", match: "exact", value: "1" },
        { kind: "cookie", name: "b", match: "exact", value: "2" },
      ],
      "traffic.rules[1]",
      "Only one cookie condition fits in one rule; keep a single cookie.",
    ],
    [
      [
        { kind: "header", name: "user-agent", match: "prefix", value: "curl" },
        { kind: "os", systems: ["linux"] },
      ],
      "traffic.rules[1]",
      "The operating system condition reads User-Agent; drop the other User-Agent condition.",
    ],
    [
      [{ kind: "query", name: "a&b", match: "exact", value: "1" }],
      "traffic.rules[0].name",
      "Query parameter names use letters, digits and - _ . ~ (no spaces, = or &).",
    ],
    [
      [
        { kind: "query", name: "tier", match: "exact", value: "gold" },
        { kind: "query", name: "tier", match: "prefix", value: "g" },
      ],
      "traffic.rules[1].name",
      "Query parameter tier already has a condition; keep one per parameter.",
    ],
  ])("refuses %o", (rules, field, message) => {
    expect(validateTrafficPolicy(match(rules), canary)).toEqual([{ field, message }]);
  });
  it("refuses matching requests sent to the stable version", () => {
    const policy: TrafficPolicy = {
      kind: "match",
      rules: [{ kind: "uri", match: "prefix", value: "/" }],
      to: "v1",
    };
    expect(validateTrafficPolicy(policy, canary)).toEqual([
      { field: "traffic.to", message: "Send matching requests to the new version, not to the stable one." },
    ]);
  });
  it.each(["^/api/v[0-9]+$", "(?P<ver>v2)", "(?i)chrome", "a{2,3}"])("RE2 accepts %s", (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });
  it.each([
    ["(?<!x)y", "Lookahead and lookbehind like (?=…) are not supported by the mesh (RE2)."],
    ["(?>ab)", "Atomic groups and possessive quantifiers are not supported by the mesh (RE2)."],
    ["a++", "Atomic groups and possessive quantifiers are not supported by the mesh (RE2)."],
    ["", "Enter a regular expression."],
  ])("RE2 refuses %s", (pattern, message) => {
    expect(re2Problem(pattern)).toBe(message);
  });
});

describe("mirror and blue-green", () => {
  const mirror: StrategyContext = { strategy: "mirror", versions: ["v1", "v2"] };
  it.each([1, 50, 100])("mirrors %i %%", (percent) => {
    expect(validateTrafficPolicy({ kind: "mirror", percent, to: "v2" }, mirror)).toEqual([]);
  });
  it.each([
    [
      { kind: "mirror", percent: 0, to: "v2" },
      "traffic.percent",
      "Mirror a whole percentage of traffic from 1 to 100.",
    ],
    [
      { kind: "mirror", percent: 101, to: "v2" },
      "traffic.percent",
      "Mirror a whole percentage of traffic from 1 to 100.",
    ],
    [
      { kind: "mirror", percent: 10, to: "v1" },
      "traffic.to",
      "Mirror traffic to the new version, not to the stable one.",
    ],
  ])("refuses %o", (policy, field, message) => {
    expect(validateTrafficPolicy(policy as TrafficPolicy, mirror)).toEqual([{ field, message }]);
  });
  const blueGreen: StrategyContext = { strategy: "blue-green", versions: ["v1", "v2"] };
  it("serves one of the job's versions", () => {
    expect(validateTrafficPolicy({ kind: "serve", version: "v2" }, blueGreen)).toEqual([]);
    expect(validateTrafficPolicy({ kind: "serve", version: "v3" }, blueGreen)).toEqual([
      { field: "traffic.version", message: "Choose v1 or v2 to serve all traffic." },
    ]);
  });
  it("refuses a policy the strategy cannot use", () => {
    expect(validateTrafficPolicy({ kind: "weights", weights: { v1: 50, v2: 50 } }, blueGreen)).toEqual([
      { field: "traffic", message: "A blue-green job cannot use a weights traffic policy." },
    ]);
  });
});
