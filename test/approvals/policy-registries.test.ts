import { describe, expect, it } from "vitest";
import { openPolicy, parsePolicy, policyFor } from "../../src/approvals/index.ts";

describe("allowedRegistries in the policy", () => {
  it("is read per namespace and inherited from the defaults", () => {
    const result = parsePolicy(`
defaults:
  allowedRegistries: [registry.example.com]
namespaces:
  shop:
    allowedRegistries: [ghcr.io/shop, "localhost:5000"]
  bookinfo: {}
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(policyFor(result.policy, "shop").allowedRegistries).toEqual(["ghcr.io/shop", "localhost:5000"]);
    expect(policyFor(result.policy, "bookinfo").allowedRegistries).toEqual(["registry.example.com"]);
    expect(policyFor(openPolicy(), "bookinfo").allowedRegistries).toBeUndefined();
  });

  it.each([["registry.example.com"], [["https://evil.example.com"]], [[42]], [["a b"]]])(
    "refuses %j, naming the setting",
    (value) => {
      const result = parsePolicy(JSON.stringify({ namespaces: { shop: { allowedRegistries: value } } }));
      expect(result).toEqual({
        ok: false,
        problems: [
          "namespaces.shop.allowedRegistries: must be a list of registries such as registry.example.com or ghcr.io/team",
        ],
      });
    },
  );
});

describe("finding 6: policy lookups are data, not object keys", () => {
  it.each([["constructor"], ["toString"], ["hasOwnProperty"]])(
    "a namespace named %s gets the defaults, not an Object.prototype member",
    (namespace) => {
      const result = parsePolicy("defaults:\n  approvals: 2\nnamespaces:\n  bookinfo: {}\n");
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(policyFor(result.policy, namespace)).toEqual(result.policy.defaults);
      expect(policyFor(result.policy, namespace).approvals).toBe(2);
    },
  );
});
