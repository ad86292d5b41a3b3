// The CRD schemas the test server (and the real control plane in test:real) install are the generator's
// output, not hand edits: regenerated here and compared (as JSON; the files are then formatted by Biome). The KubeSphere 3.4 Strategy comes from
// KubeSphere's published CRD (an input the generator takes on its command line), so here it must be in the
// generator's canonical form and keep what makes the real CRD behave as it does. Istio's VirtualService too:
// its published CRD carries the CEL rules and oneOf the test server evaluates.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedSchemas, PUBLISHED, schemaFromPublishedCrd, schemaText } from "./crds/generate.ts";

const read = (file: string) => readFileSync(join(import.meta.dirname, "crds", file), "utf8");

type Node = { type?: string; properties?: Record<string, Node>; items?: Node; additionalProperties?: Node };
const at = (root: Node, ...path: string[]): Node | undefined =>
  path.reduce<Node | undefined>((n, key) => (key === "[]" ? n?.items : n?.properties?.[key]), root);

describe("CRD schema files", () => {
  it.each(Object.entries(generatedSchemas()))("%s is what the generator writes", (file, schema) => {
    expect(JSON.parse(read(file))).toEqual(JSON.parse(schemaText(schema)));
  });

  it.each(Object.values(PUBLISHED))(
    "%s is a published CRD's schema in the generator's canonical form",
    (file) => {
      const text = read(file);
      const crd = JSON.stringify({
        spec: {
          versions: [{ name: "v1alpha2", storage: true, schema: { openAPIV3Schema: JSON.parse(text) } }],
        },
      });
      expect(schemaFromPublishedCrd(crd)).toEqual(JSON.parse(text));
      expect(text).not.toContain('"description"');
    },
  );

  it("keeps what makes KubeSphere 3.4 prune and type as it does", () => {
    const root = JSON.parse(read("kubesphere-strategy.json")) as Node;
    const template = at(root, "spec", "template");
    expect(at(template ?? {}, "metadata")).toEqual({ type: "object" });
    const http = at(template ?? {}, "spec", "http", "[]") ?? {};
    expect(at(http, "mirror_percent")?.type).toBe("object");
    expect(at(http, "mirror_percentage", "value")?.type).toBe("number");
    const match = at(http, "match", "[]") ?? {};
    expect(at(match, "uri")?.properties).toBeUndefined();
    expect(at(match, "headers")?.additionalProperties?.properties).toBeUndefined();
  });
});

it("istio-virtualservice.json keeps Istio's CEL rule on durations and oneOf on string matches", () => {
  const text = read("istio-virtualservice.json");
  expect(text).toContain("duration(self) >= duration('1ms')");
  const root = JSON.parse(text) as Node & { properties: Record<string, unknown> };
  const match = at(root, "spec", "http", "[]", "match", "[]", "uri") as { oneOf?: unknown[] } | undefined;
  expect(match?.oneOf?.length).toBeGreaterThan(1);
});
