import { describe, expect, it } from "vitest";
import type { ClientOs } from "../../src/release/index.ts";
import {
  cookieRegex,
  matchRequest,
  osUserAgentMatch,
  readMatchRequest,
  userAgentMatches,
} from "../../src/release/index.ts";
import { loadFixture } from "./fixtures.ts";

const agents = loadFixture<Record<ClientOs, string>>("user-agents.yaml");
const oses = Object.keys(agents) as ClientOs[];
// Envoy's regex match covers the whole header value.
const fullMatch = (pattern: string, text: string) => new RegExp(`^(?:${pattern})$`).test(text);

describe("client OS presets against real User-Agent strings", () => {
  it.each(oses)("%s matches its own UA and no other", (os) => {
    for (const other of oses) expect(userAgentMatches(agents[other], [os])).toBe(other === os);
  });
  it("Android and iOS together", () => {
    expect(oses.filter((os) => userAgentMatches(agents[os], ["android", "ios"]))).toEqual(["android", "ios"]);
  });
  it("Linux with Android needs no exclusion", () => {
    expect(osUserAgentMatch(["android", "linux"])).toEqual({ regex: ".*(Linux|Android).*" });
    expect(osUserAgentMatch(["linux"])).toEqual({ regex: ".*(Linux).*", without: ".*Android.*" });
  });
  it("puts the Android exclusion in withoutHeaders", () => {
    expect(matchRequest([{ kind: "os", systems: ["linux"] }])).toEqual({
      headers: { "user-agent": { regex: ".*(Linux).*" } },
      withoutHeaders: { "user-agent": { regex: ".*Android.*" } },
    });
  });
});

describe("cookie conditions", () => {
  it("builds the documented regex shape", () => {
    expect(cookieRegex("user", "exact", "jason")).toBe("^(.*?;\\s*)?(user=jason)(;.*)?$");
  });
  it.each([
    ["exact", "jason", "user=jason", true],
    ["exact", "jason", "a=1; user=jason; b=2", true],
    ["exact", "jason", "a=1;user=jason", true],
    ["exact", "jason", "user=jasonx", false],
    ["exact", "jason", "xuser=jason", false],
    ["exact", "j.son", "user=jason", false],
    ["prefix", "beta", "user=beta-7; x=1", true],
    ["prefix", "beta", "user=alpha", false],
    ["regex", "[0-9]+", "a=b; user=42", true],
    ["regex", "[0-9]+", "user=4a", false],
  ] as const)("%s %s on %j → %s", (match, value, header, expected) => {
    expect(fullMatch(cookieRegex("user", match, value), header)).toBe(expected);
  });
  it.each(["exact", "prefix", "regex"] as const)("reads back a %s cookie", (match) => {
    const rule = {
      kind: "cookie" as const,
      name: "user.id",
      match,
      value: match === "regex" ? "(a|b)+" : "v.2",
    };
    expect(readMatchRequest(matchRequest([rule]))).toEqual([rule]);
  });
  it("reads a foreign regex on the cookie header as a header condition", () => {
    expect(readMatchRequest({ headers: { cookie: { regex: ".*x.*" } } })).toEqual([
      { kind: "header", name: "cookie", match: "regex", value: ".*x.*" },
    ]);
  });
  it.each([
    ["exact", "gold", { exact: "gold" }],
    ["prefix", "go.ld", { regex: "go\\.ld.*" }],
    ["regex", "g(o|u)ld", { regex: "g(o|u)ld" }],
  ] as const)("matches a query parameter %s (Istio has no prefix there: a regex)", (match, value, istio) => {
    const rule = { kind: "query" as const, name: "tier", match, value };
    expect(matchRequest([rule])).toEqual({ queryParams: { tier: istio } });
    expect(readMatchRequest(matchRequest([rule]))).toEqual([rule]);
  });
});
