// Installs the project's CustomResourceDefinitions (the same manifests the test server serves) into a real
// API server: server-side apply, as Istio's are too large for client-side apply's annotation, then waits
// until each is Established; removes the ones a cluster should not have.

import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { installedCrds, type KubeSphereFlavour } from "../kube/crds.ts";
import type { Mesh } from "../kube/registry.ts";
import type { KubeObject } from "../kube/store.ts";

export const FIELD_MANAGER = "graydesk-test-harness";

/** The CRDs as the test server serves them, without the status only an API server writes. */
export function crdManifests(meshes: Mesh[], kubesphere: KubeSphereFlavour): KubeObject[] {
  return installedCrds(meshes, kubesphere).map((c) => {
    const { status: _status, ...manifest } = structuredClone(c.manifest);
    return manifest;
  });
}

const established = (crd: V1CustomResourceDefinition) =>
  crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * client-node serializes the body through its typed models, which name some schema keys differently
 * (`x_kubernetes_…`, `_enum`, `_default`) and drop the keys as written: an `x-kubernetes-preserve-unknown-fields`
 * or `x-kubernetes-int-or-string` would vanish (the server then prunes those fields, or refuses the schema as not
 * structural). Only nodes the model types are renamed; `items` and `additionalProperties` are sent as given.
 */
const MODEL_KEYS: Record<string, string> = {
  enum: "_enum",
  default: "_default",
  $ref: "ref",
  $schema: "schema",
};
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf"]);

function modelSchema(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, v]) => {
      const name = key.startsWith("x-kubernetes-") ? key.replaceAll("-", "_") : (MODEL_KEYS[key] ?? key);
      if (SCHEMA_MAPS.has(key) && v && typeof v === "object")
        return [name, Object.fromEntries(Object.entries(v).map(([k, s]) => [k, modelSchema(s)]))];
      if (SCHEMA_LISTS.has(key) && Array.isArray(v)) return [name, v.map(modelSchema)];
      if (key === "not") return [name, modelSchema(v)];
      return [name, v];
    }),
  );
}

function modelSpec(spec: unknown): unknown {
  const versions = (spec as { versions?: { schema?: { openAPIV3Schema?: unknown } }[] }).versions ?? [];
  return {
    ...(spec as object),
    versions: versions.map((v) =>
      v.schema
        ? { ...v, schema: { ...v.schema, openAPIV3Schema: modelSchema(v.schema.openAPIV3Schema) } }
        : v,
    ),
  };
}

/** Makes the cluster's CRDs exactly those of `meshes` (with the KubeSphere flavour given). */
export async function installCrds(
  kc: KubeConfig,
  meshes: Mesh[],
  kubesphere: KubeSphereFlavour = "3.4",
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const wanted = crdManifests(meshes, kubesphere);
  const names = new Set(wanted.map((c) => c.metadata.name));
  const existing = await ext.listCustomResourceDefinition();
  const extra = existing.items.filter((c) => !names.has(c.metadata?.name));
  for (const crd of extra) await ext.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
  for (const crd of wanted) {
    const body = {
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      metadata: {
        name: crd.metadata.name,
        ...(crd.metadata.annotations ? { annotations: crd.metadata.annotations } : {}),
      },
      spec: modelSpec(crd.spec),
    };
    await objects.patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const crd of wanted) {
    const name = crd.metadata.name ?? "";
    const ready = await until(
      `CRD ${name} Established`,
      () => ext.readCustomResourceDefinition({ name }),
      established,
    );
    // Established comes a moment before the new resource's storage serves (429 "storage is (re)initializing").
    const version = ready.spec.versions.find((v) => v.storage)?.name ?? ready.spec.versions[0]?.name ?? "";
    await until(
      `${name} served`,
      () =>
        custom
          .listClusterCustomObject({
            group: ready.spec.group,
            version,
            plural: ready.spec.names.plural,
            limit: 1,
          })
          .then(
            () => true,
            () => false,
          ),
      (served) => served,
    );
  }
  for (const crd of extra) {
    const name = crd.metadata?.name ?? "";
    await until(
      `CRD ${name} removed`,
      () =>
        ext.readCustomResourceDefinition({ name }).then(
          () => false,
          () => true,
        ),
      (gone) => gone,
    );
  }
}
