// The deploy/ manifests as objects, and their RBAC as the Kubernetes test server's rules. Reads the files a
// kustomization lists (resources, generated ConfigMaps' files, patches) without running kustomize.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { PolicyRule } from "../harness/kube/index.ts";

export const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));
export const BASE = path.join(DEPLOY, "kustomize/base");
export const REPLICATED = path.join(DEPLOY, "kustomize/overlays/replicated");
/** Who the ServiceAccount is, as the API server names it. */
export const SERVICE_ACCOUNT = "system:serviceaccount:graydesk:graydesk";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Kustomization {
  namespace?: string;
  resources?: string[];
  patches?: { path?: string; patch?: string; target?: Record<string, string> }[];
  configMapGenerator?: { name: string; files: string[] }[];
}

export function readYaml(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS() as Manifest);
}

export function kustomization(dir: string): Kustomization {
  return readYaml(path.join(dir, "kustomization.yaml"))[0] as unknown as Kustomization;
}

/** The objects a kustomization lists, its bases' included, with the kustomization's namespace filled in. */
export function resources(dir: string): Manifest[] {
  const k = kustomization(dir);
  return (k.resources ?? []).flatMap((entry) => {
    const target = path.join(dir, entry);
    const objects = entry.endsWith(".yaml") ? readYaml(target) : resources(target);
    return objects.map((o) => {
      if (!k.namespace || o.kind === "Namespace" || o.kind.startsWith("Cluster")) return o;
      return { ...o, metadata: { ...o.metadata, namespace: k.namespace } };
    });
  });
}

export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ""} in the manifests`);
  return found;
}

interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Binding {
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
}

/**
 * The rules bound to Graydesk's ServiceAccount: a ClusterRole through a ClusterRoleBinding holds everywhere; a
 * Role (or a ClusterRole through a RoleBinding) only in the binding's namespace.
 */
export function serviceAccountRules(objects: Manifest[]): PolicyRule[] {
  const isOurs = (b: Binding) =>
    b.subjects.some(
      (s) => s.kind === "ServiceAccount" && s.name === "graydesk" && s.namespace === "graydesk",
    );
  const roleRules = (kind: string, name: string, namespace?: string): RbacRule[] => {
    const role = objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === "ClusterRole" || o.metadata.namespace === namespace),
    );
    if (!role) throw new Error(`${kind} ${name} is bound but not in the manifests`);
    return (role as unknown as { rules?: RbacRule[] }).rules ?? [];
  };
  const rules: PolicyRule[] = [];
  for (const o of objects) {
    if (o.kind !== "ClusterRoleBinding" && o.kind !== "RoleBinding") continue;
    const binding = o as unknown as Binding;
    if (!isOurs(binding)) continue;
    const namespace = o.kind === "RoleBinding" ? o.metadata.namespace : undefined;
    for (const r of roleRules(binding.roleRef.kind, binding.roleRef.name, namespace)) {
      rules.push({
        verbs: [...r.verbs],
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        ...(namespace ? { namespaces: [namespace] } : {}),
      });
    }
  }
  return rules;
}

export interface Grant {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** Every verb × resource the rules grant, one per entry: what removing one permission means. */
export function grants(rules: PolicyRule[]): Grant[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((group) =>
      r.resources.flatMap((resource) =>
        r.verbs.map((verb) => ({
          verb,
          group,
          resource,
          ...(r.namespaces?.[0] ? { namespace: r.namespaces[0] } : {}),
        })),
      ),
    ),
  );
}

/** The rules with one grant taken away (the rest of its rule stays). */
export function without(rules: PolicyRule[], gone: Grant): PolicyRule[] {
  return grants(rules)
    .filter((g) => !sameGrant(g, gone))
    .map((g) => ({
      verbs: [g.verb],
      apiGroups: [g.group],
      resources: [g.resource],
      ...(g.namespace ? { namespaces: [g.namespace] } : {}),
    }));
}

export function sameGrant(a: Grant, b: Grant): boolean {
  return a.verb === b.verb && a.group === b.group && a.resource === b.resource && a.namespace === b.namespace;
}

/** `list virtualservices.networking.istio.io`: how Graydesk's forbidden messages name a grant. */
export function grantName(g: Grant): string {
  return `${g.verb} ${g.resource}${g.group ? `.${g.group}` : ""}`;
}

/**
 * The Argo Rollouts rules of the Role deploy/ gives Graydesk in a managed namespace (generated from
 * release-role.yaml), bound in `namespace` instead: what the Argo gates' tests run with.
 */
export function argoRolloutsRules(namespace: string): PolicyRule[] {
  return serviceAccountRules(resources(BASE))
    .filter((r) => r.apiGroups.includes("argoproj.io") && r.namespaces?.[0] === "bookinfo")
    .map((r) => ({ ...r, namespaces: [namespace] }));
}
