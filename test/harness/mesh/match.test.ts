import { describe, expect, it } from "vitest";
import { type MatchInput, matchBlockHolds, routeMatches, stringMatches } from "./match.ts";

const input = (over: Partial<MatchInput> = {}): MatchInput => ({
  headers: {},
  path: "/reviews/0",
  method: "GET",
  authority: "reviews:9080",
  port: 9080,
  ...over,
});

describe("stringMatches", () => {
  it.each([
    [{ exact: "jason" }, "jason", true],
    [{ exact: "jason" }, "Jason", false],
    [{ prefix: "/api" }, "/api/v1", true],
    [{ prefix: "/api" }, "/ap", false],
    [{ regex: "v2" }, "v2", true],
    // RE2 as Envoy uses it must match the whole value, not a substring.
    [{ regex: "v2" }, "xv2x", false],
    [{ regex: "a|b" }, "b", true],
    [{ regex: "a|b" }, "ab", false],
    [{ regex: ".*Android.*" }, "Mozilla/5.0 (Linux; Android 14)", true],
    [{}, "anything", true],
  ])("%j against %j is %s", (match, value, expected) => {
    expect(stringMatches(match, value)).toBe(expected);
  });

  it("never matches a missing value, not even a presence match", () => {
    expect(stringMatches({}, undefined)).toBe(false);
    expect(stringMatches({ regex: ".*" }, undefined)).toBe(false);
  });

  it("folds case when asked to", () => {
    expect(stringMatches({ exact: "/Beta" }, "/beta", true)).toBe(true);
    expect(stringMatches({ prefix: "/BETA" }, "/beta/x", true)).toBe(true);
  });
});

describe("matchBlockHolds", () => {
  it("ANDs every condition inside one block", () => {
    const block = { headers: { "end-user": { exact: "jason" } }, uri: { prefix: "/reviews" } };
    expect(matchBlockHolds(block, input({ headers: { "end-user": "jason" } }))).toBe(true);
    expect(matchBlockHolds(block, input({ headers: { "end-user": "jason" }, path: "/ratings" }))).toBe(false);
    expect(matchBlockHolds(block, input())).toBe(false);
  });

  it("compares exact and regex URIs without the query string, prefixes with it", () => {
    expect(matchBlockHolds({ uri: { exact: "/reviews/0" } }, input({ path: "/reviews/0?x=1" }))).toBe(true);
    expect(matchBlockHolds({ uri: { regex: "/reviews/\\d+" } }, input({ path: "/reviews/7?x=1" }))).toBe(
      true,
    );
    expect(matchBlockHolds({ uri: { prefix: "/reviews/0?x" } }, input({ path: "/reviews/0?x=1" }))).toBe(
      true,
    );
  });

  it("matches method, port, authority and query parameters", () => {
    expect(matchBlockHolds({ method: { exact: "POST" } }, input())).toBe(false);
    expect(matchBlockHolds({ port: 9080 }, input())).toBe(true);
    expect(matchBlockHolds({ port: 80 }, input())).toBe(false);
    expect(matchBlockHolds({ authority: { prefix: "reviews" } }, input())).toBe(true);
    expect(matchBlockHolds({ queryParams: { beta: { exact: "1" } } }, input({ path: "/r?beta=1" }))).toBe(
      true,
    );
    expect(matchBlockHolds({ queryParams: { beta: { exact: "1" } } }, input({ path: "/r?beta=2" }))).toBe(
      false,
    );
    expect(matchBlockHolds({ queryParams: { beta: { exact: "1" } } }, input({ path: "/r" }))).toBe(false);
  });

  it("withoutHeaders excludes requests that carry the header", () => {
    const block = { withoutHeaders: { "x-canary": {} } };
    expect(matchBlockHolds(block, input())).toBe(true);
    expect(matchBlockHolds(block, input({ headers: { "x-canary": "1" } }))).toBe(false);
  });

  it("reads header names case-insensitively from the route", () => {
    expect(
      matchBlockHolds(
        { headers: { "End-User": { exact: "jason" } } },
        input({ headers: { "end-user": "jason" } }),
      ),
    ).toBe(true);
  });

  it("checks the caller's labels and namespace", () => {
    const source = {
      workload: "productpage-v1",
      namespace: "bookinfo",
      labels: { app: "productpage" },
      serviceAccount: "sa",
    };
    expect(matchBlockHolds({ sourceLabels: { app: "productpage" } }, input({ source }))).toBe(true);
    expect(matchBlockHolds({ sourceLabels: { app: "details" } }, input({ source }))).toBe(false);
    expect(matchBlockHolds({ sourceNamespace: "other" }, input({ source }))).toBe(false);
  });
});

describe("routeMatches", () => {
  it("ORs the blocks and treats no blocks as match-all", () => {
    const blocks = [{ headers: { "end-user": { exact: "jason" } } }, { uri: { prefix: "/beta" } }];
    expect(routeMatches(blocks, input({ path: "/beta/1" }))).toBe(true);
    expect(routeMatches(blocks, input({ headers: { "end-user": "jason" } }))).toBe(true);
    expect(routeMatches(blocks, input())).toBe(false);
    expect(routeMatches(undefined, input())).toBe(true);
    expect(routeMatches([], input())).toBe(true);
  });
});
