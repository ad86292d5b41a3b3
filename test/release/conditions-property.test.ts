// Property: for random request conditions (names such as __proto__ and constructor included), the VirtualService
// Graydesk builds routes each request exactly as the plan's summary says — checked by the mesh simulator's routing
// on the object as the API server would return it (JSON round trip).
import { describe, expect, it } from "vitest";
import type { ClientOs, MatchRule, TrafficPolicy } from "../../src/release/index.ts";
import {
  describeRule,
  desiredDestinationRule,
  desiredVirtualService,
  readSplit,
  splitView,
  summarize,
  validateMatchRules,
} from "../../src/release/index.ts";
import {
  type DestinationRule,
  routeRequest,
  seededRandom,
  type VirtualService,
} from "../harness/mesh/index.ts";
import { reviewsSnapshot } from "../harness/mesh/sample-mesh.ts";
import { type Generated, generateConditions, type Request, requestFor } from "./conditions-generator.ts";
import { loadFixture, reviewsJob } from "./fixtures.ts";

const SEED = 20261206;
const CASES = 400;
const agents = loadFixture<Record<ClientOs, string>>("user-agents.yaml");
const osOf = (agent: string | undefined) =>
  (Object.keys(agents) as ClientOs[]).find((os) => agents[os] === agent);

const holds = (match: string, expected: string, actual: string | undefined) =>
  actual !== undefined &&
  (match === "exact"
    ? actual === expected
    : match === "prefix"
      ? actual.startsWith(expected)
      : new RegExp(`^(?:${expected})$`).test(actual));

/** What the summary's words say about one request: every listed condition holds → the new version. */
function summarySays(rules: MatchRule[], request: Request): "v1" | "v2" {
  const header = (name: string) =>
    request.headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).at(-1)?.[1];
  const all = rules.every((rule) => {
    switch (rule.kind) {
      case "header":
        return holds(rule.match, rule.value, header(rule.name));
      case "cookie":
        return (header("cookie") ?? "")
          .split(/;\s*/)
          .map((pair) => pair.split("="))
          .some(([name, value]) => name === rule.name && holds(rule.match, rule.value, value));
      case "uri":
        return rule.match === "prefix"
          ? `${request.path}${queryString(request)}`.startsWith(rule.value)
          : holds(rule.match, rule.value, request.path);
      case "query":
        return holds(rule.match, rule.value, new URLSearchParams(request.query).get(rule.name) ?? undefined);
      case "os": {
        const os = osOf(header("user-agent"));
        return os !== undefined && rule.systems.includes(os);
      }
      default:
        return false;
    }
  });
  return all ? "v2" : "v1";
}

const queryString = (request: Request) =>
  request.query.length > 0 ? `?${new URLSearchParams(request.query)}` : "";

/** Rules compared as a set, header names as the mesh sees them (lower case). */
const canonical = (rules: MatchRule[]) =>
  rules
    .map((rule) => JSON.stringify(rule.kind === "header" ? { ...rule, name: rule.name.toLowerCase() } : rule))
    .sort();

describe(`random conditions route as summarised (seed ${SEED}, ${CASES} accepted rule sets)`, () => {
  it("the built route sends each request where the summary says, and reads back as the same conditions", () => {
    const random = seededRandom(SEED);
    const job = reviewsJob();
    let accepted = 0;
    let requests = 0;
    let toNew = 0;
    const ownNames = new Set<string>();
    for (let attempt = 0; accepted < CASES && attempt < CASES * 20; attempt++) {
      const generated: Generated[] = generateConditions(random);
      const rules = generated.map((g) => g.rule);
      if (validateMatchRules(rules).length > 0) continue;
      accepted++;
      for (const rule of rules)
        if ("name" in rule && rule.name in Object.prototype) ownNames.add(`${rule.kind}:${rule.name}`);
      const policy: TrafficPolicy = { kind: "match", rules, to: "v2" };
      const summary = summarize(job, splitView(job, job.traffic), splitView(job, policy));
      expect(summary).toBe(
        `reviews: requests with ${rules.map(describeRule).join(" and ")} → v2, others → v1`,
      );

      // As the API server hands it back: JSON, where every name is an own property.
      const vs = JSON.parse(JSON.stringify(desiredVirtualService(job, policy))) as VirtualService;
      const rule = JSON.parse(JSON.stringify(desiredDestinationRule(job))) as DestinationRule;
      const back = readSplit(vs as never, job);
      expect(back?.kind).toBe("match");
      expect(canonical(back?.kind === "match" ? back.rules : [])).toEqual(canonical(rules));

      const snapshot = reviewsSnapshot({ v1: 1, v2: 1 }, { virtualServices: [vs], destinationRules: [rule] });
      const misses = [new Set<number>(), ...generated.map((_, i) => new Set([i])), new Set(generated.keys())];
      for (const miss of misses) {
        const request = requestFor(random, generated, miss, agents);
        const decision = routeRequest(
          snapshot,
          {
            service: "reviews",
            namespace: "bookinfo",
            headers: Object.fromEntries(request.headers),
            uri: `${request.path}${queryString(request)}`,
          },
          random,
        );
        const expected = summarySays(rules, request);
        const context = { summary, request, route: vs.spec.http?.[0]?.match };
        expect({ ...context, routedTo: decision.subset }).toEqual({ ...context, routedTo: expected });
        requests++;
        if (expected === "v2") toNew++;
      }
    }
    expect(accepted).toBe(CASES);
    // Names JavaScript objects already have were among the conditions, for every kind that has names.
    expect([...ownNames].sort()).toEqual(
      expect.arrayContaining([
        "cookie:__proto__",
        "header:__proto__",
        "header:constructor",
        "query:__proto__",
      ]),
    );
    // Both outcomes are exercised, not just one.
    expect(toNew).toBeGreaterThan(CASES / 2);
    expect(requests - toNew).toBeGreaterThan(CASES);
  });
});
