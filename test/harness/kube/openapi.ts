// Just enough OpenAPI v3 for kubectl: per group-version documents whose PATCH operations carry the
// group-version-kind and the `fieldValidation` parameter, which is how kubectl learns that the server
// validates fields itself (otherwise it tries to validate on the client). Schemas are left open.

import { createHash } from "node:crypto";
import type { Registry, ResourceType } from "./registry.ts";

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

const QUERY = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: name === "force" ? "boolean" : "string" },
}));

function resourcePaths(t: ResourceType, version: string): Record<string, object> {
  const gvk = { group: t.group, version, kind: t.kind };
  const base = `/${gvPath(t.group, version)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.resource}`;
  const op = (action: string) => ({
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    parameters: QUERY,
    responses: { "200": { description: "OK" } },
  });
  return {
    [base]: { get: op("list"), post: op("post") },
    [`${base}/{name}`]: { get: op("get"), put: op("put"), patch: op("patch"), delete: op("delete") },
  };
}

export function openapiDocument(registry: Registry, group: string, version: string): object | undefined {
  const types = registry.servedIn(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {};
  for (const t of types) {
    Object.assign(paths, resourcePaths(t, version));
    const name = `${(t.group || "io.k8s.api.core").split(".").reverse().join(".")}.${version}.${t.kind}`;
    schemas[name] = {
      type: "object",
      "x-kubernetes-group-version-kind": [{ group: t.group, version, kind: t.kind }],
      "x-kubernetes-preserve-unknown-fields": true,
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas },
  };
}

export function openapiRoot(registry: Registry): object {
  const paths: Record<string, object> = {};
  const add = (group: string, version: string) => {
    const doc = openapiDocument(registry, group, version);
    const hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 64).toUpperCase();
    paths[gvPath(group, version)] = {
      serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}`,
    };
  };
  add("", "v1");
  for (const g of registry.groups()) for (const v of g.versions) add(g.name, v);
  return { paths };
}
