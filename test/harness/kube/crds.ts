// The CustomResourceDefinitions each mesh brings, built from the schema files under ./crds/
// (written by crds/generate.ts), and the resource types they add to the server.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Mesh, ResourceType } from "./registry.ts";
import type { Schema } from "./schema.ts";
import type { KubeObject } from "./store.ts";

export type KubeSphereFlavour = "3.4" | "3.3";

interface Names {
  group: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  categories?: string[];
  versions: string[]; // storage version first
  schemaFile: string;
  printerColumns?: Array<{ name: string; type: string; jsonPath: string }>;
  /** Groups under k8s.io need the approval annotation, or a real API server refuses the CRD. */
  annotations?: Record<string, string>;
}

const AGE = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const ISTIO = ["istio-io", "networking-istio-io"];
const ISTIO_VERSIONS = ["v1", "v1beta1", "v1alpha3"];

function familyNames(mesh: Mesh, kubesphere: KubeSphereFlavour): Names[] {
  switch (mesh) {
    case "istio":
      return [
        {
          group: "networking.istio.io",
          kind: "VirtualService",
          plural: "virtualservices",
          shortNames: ["vs"],
          categories: ISTIO,
          versions: ISTIO_VERSIONS,
          schemaFile: "istio-virtualservice.json",
          printerColumns: [
            { name: "Gateways", type: "string", jsonPath: ".spec.gateways" },
            { name: "Hosts", type: "string", jsonPath: ".spec.hosts" },
            AGE,
          ],
        },
        {
          group: "networking.istio.io",
          kind: "DestinationRule",
          plural: "destinationrules",
          shortNames: ["dr"],
          categories: ISTIO,
          versions: ISTIO_VERSIONS,
          schemaFile: "istio-destinationrule.json",
          printerColumns: [{ name: "Host", type: "string", jsonPath: ".spec.host" }, AGE],
        },
        {
          group: "networking.istio.io",
          kind: "Gateway",
          plural: "gateways",
          shortNames: ["gw"],
          categories: ISTIO,
          versions: ISTIO_VERSIONS,
          schemaFile: "istio-gateway.json",
        },
      ];
    case "gateway-api":
      return [
        {
          group: "gateway.networking.k8s.io",
          kind: "HTTPRoute",
          plural: "httproutes",
          categories: ["gateway-api"],
          versions: ["v1", "v1beta1"],
          schemaFile: "gateway-httproute.json",
          annotations: {
            "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/4530",
            "gateway.networking.k8s.io/channel": "standard",
          },
          printerColumns: [{ name: "Hostnames", type: "string", jsonPath: ".spec.hostnames" }, AGE],
        },
      ];
    case "argo-rollouts":
      return [
        {
          group: "argoproj.io",
          kind: "Rollout",
          plural: "rollouts",
          shortNames: ["ro"],
          versions: ["v1alpha1"],
          schemaFile: "argo-rollout.json",
          printerColumns: [
            { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
            { name: "Current", type: "integer", jsonPath: ".status.replicas" },
            { name: "Up-to-date", type: "integer", jsonPath: ".status.updatedReplicas" },
            { name: "Available", type: "integer", jsonPath: ".status.availableReplicas" },
            AGE,
          ],
        },
      ];
    case "kubesphere":
      return [
        {
          group: "servicemesh.kubesphere.io",
          kind: "Strategy",
          plural: "strategies",
          versions: ["v1alpha2"],
          schemaFile: kubesphere === "3.3" ? "kubesphere-strategy-v3.3.json" : "kubesphere-strategy.json",
          printerColumns: [
            { name: "Type", type: "string", jsonPath: ".spec.type" },
            { name: "Hosts", type: "string", jsonPath: ".spec.template.spec.hosts" },
            AGE,
          ],
        },
        {
          group: "servicemesh.kubesphere.io",
          kind: "ServicePolicy",
          plural: "servicepolicies",
          versions: ["v1alpha2"],
          schemaFile:
            kubesphere === "3.3" ? "kubesphere-servicepolicy-v3.3.json" : "kubesphere-servicepolicy.json",
        },
      ];
  }
}

const PERMISSIVE: Schema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

function loadSchema(file: string): Schema {
  const path = join(import.meta.dirname, "crds", file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Schema) : PERMISSIVE;
}

export interface InstalledCrd {
  type: ResourceType;
  schema: Schema;
  manifest: KubeObject;
}

export function installedCrds(meshes: Mesh[], kubesphere: KubeSphereFlavour = "3.4"): InstalledCrd[] {
  return meshes.flatMap((mesh) =>
    familyNames(mesh, kubesphere).map((n) => {
      const schema = loadSchema(n.schemaFile);
      const singular = n.kind.toLowerCase();
      const type: ResourceType = {
        group: n.group,
        versions: n.versions,
        resource: n.plural,
        singular,
        kind: n.kind,
        namespaced: true,
        subresources: ["status"],
        custom: true,
        ...(n.shortNames ? { shortNames: n.shortNames } : {}),
        ...(n.categories ? { categories: n.categories } : {}),
      };
      const manifest: KubeObject = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: {
          name: `${n.plural}.${n.group}`,
          ...(n.annotations ? { annotations: n.annotations } : {}),
        },
        spec: {
          group: n.group,
          names: {
            kind: n.kind,
            listKind: `${n.kind}List`,
            plural: n.plural,
            singular,
            ...(n.shortNames ? { shortNames: n.shortNames } : {}),
            ...(n.categories ? { categories: n.categories } : {}),
          },
          scope: "Namespaced",
          versions: n.versions.map((name, i) => ({
            name,
            served: true,
            storage: i === 0,
            schema: { openAPIV3Schema: schema },
            subresources: { status: {} },
            ...(n.printerColumns ? { additionalPrinterColumns: n.printerColumns } : {}),
          })),
        },
        status: {
          acceptedNames: { kind: n.kind, plural: n.plural },
          storedVersions: [n.versions[0]],
          conditions: [{ type: "Established", status: "True", reason: "InitialNamesAccepted" }],
        },
      };
      return { type, schema, manifest };
    }),
  );
}
