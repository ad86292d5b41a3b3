// Bearer tokens → users → RBAC-like rules. "*" matches anything; resources may name subresources
// ("deployments/scale"), as in a Role.

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  namespaces?: string[];
}

export interface User {
  name: string;
  rules: PolicyRule[] | "cluster-admin";
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const has = (list: string[], value: string) => list.includes("*") || list.includes(value);

export function allowed(user: User, a: Attributes): boolean {
  if (user.rules === "cluster-admin") return true;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return user.rules.some(
    (r) =>
      has(r.verbs, a.verb) &&
      has(r.apiGroups, a.group) &&
      (has(r.resources, resource) ||
        (a.subresource !== undefined && r.resources.includes(`*/${a.subresource}`))) &&
      // A namespaced rule (a Role) never covers cluster-scoped requests or lists across all namespaces.
      (r.namespaces === undefined || (a.namespace !== undefined && has(r.namespaces, a.namespace))),
  );
}

/** kube's wording: `User "x" cannot patch resource "deployments/scale" in API group "apps" in the namespace "ns"`. */
export function denial(user: User, a: Attributes): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}"${where}`;
}
