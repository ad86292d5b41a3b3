// deploy/'s RBAC is scoped to what Graydesk manages: cluster-wide only read-only discovery and no Secrets at all;
// every write is in a namespace the approval policy names, through the Role generated from that one list.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { managedNamespaces, managedNamespacesYaml } from "../../deploy/scripts/managed-namespaces.ts";
import { BASE, DEPLOY, grants, REPLICATED, resources, serviceAccountRules } from "./manifests.ts";

const READ_ONLY = new Set(["get", "list", "watch"]);

describe.each([
  ["base", BASE],
  ["replicated", REPLICATED],
])("the %s manifests", (_name, dir) => {
  const all = grants(serviceAccountRules(resources(dir)));

  it("grant nothing cluster-wide but read-only discovery, and no Secrets", () => {
    const clusterWide = all.filter((g) => !g.namespace);
    expect(clusterWide.filter((g) => !READ_ONLY.has(g.verb))).toEqual([]);
    expect(clusterWide.filter((g) => g.resource === "secrets")).toEqual([]);
    expect(clusterWide.map((g) => `${g.verb} ${g.resource}`).sort()).toEqual([
      "get namespaces",
      "list customresourcedefinitions",
      "list namespaces",
    ]);
  });

  it("write only in the policy's namespaces and Graydesk's own", () => {
    const policy = readFileSync(path.join(BASE, "policy.yaml"), "utf8");
    const allowed = new Set([...managedNamespaces(policy), "graydesk"]);
    const writes = all.filter((g) => !READ_ONLY.has(g.verb));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((g) => !allowed.has(g.namespace ?? "(cluster-wide)"))).toEqual([]);
  });
});

describe("managed-namespaces.yaml", () => {
  it("is what `npm run deploy:namespaces` writes from policy.yaml and release-role.yaml", () => {
    const expected = managedNamespacesYaml(
      readFileSync(path.join(BASE, "policy.yaml"), "utf8"),
      readFileSync(path.join(DEPLOY, "kustomize/release-role.yaml"), "utf8"),
    );
    expect(readFileSync(path.join(BASE, "managed-namespaces.yaml"), "utf8")).toBe(expected);
  });

  it("gives every namespace of a policy its Role and RoleBinding, and none other", () => {
    const role = readFileSync(path.join(DEPLOY, "kustomize/release-role.yaml"), "utf8");
    const text = managedNamespacesYaml("namespaces:\n  shop: {}\n  bookinfo: {}\n", role);
    const objects = text
      .split("---\n")
      .map((d) => d.match(/kind: (\w+)\n[\s\S]*?namespace: ([\w-]+)/)?.slice(1));
    expect(objects).toEqual([
      ["Role", "bookinfo"],
      ["RoleBinding", "bookinfo"],
      ["Role", "shop"],
      ["RoleBinding", "shop"],
    ]);
  });
});
