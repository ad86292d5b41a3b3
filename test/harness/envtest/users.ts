// Users of a real control plane made at run time: a ServiceAccount per user, its rules as a ClusterRole
// (or a Role in each namespace a rule names), and a bound token from the TokenRequest API.

import { AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { PolicyRule, User } from "../kube/authz.ts";

export const USERS_NAMESPACE = "graydesk-test-users";

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50) || "user";

async function upsert(create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
    await replace();
  }
}

const toRule = (r: PolicyRule) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources });

let made = 0;

/**
 * A new ServiceAccount with exactly `user.rules` and a bearer token for it. Each call makes a new account,
 * so no earlier grant lingers in the authorizer's cache; it returns once the authorizer sees the new rules.
 */
export async function grantUser(admin: KubeConfig, user: User): Promise<{ token: string; username: string }> {
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const name = `user-${slug(user.name)}-${++made}`;
  await core.createNamespace({ body: { metadata: { name: USERS_NAMESPACE } } }).catch((e) => {
    if ((e as { code?: number }).code !== 409) throw e;
  });
  await upsert(
    () => core.createNamespacedServiceAccount({ namespace: USERS_NAMESPACE, body: { metadata: { name } } }),
    async () => undefined,
  );
  const subjects = [{ kind: "ServiceAccount", name, namespace: USERS_NAMESPACE }];
  const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
  const clusterRules =
    user.rules === "cluster-admin"
      ? [
          { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
          { verbs: ["*"], nonResourceURLs: ["*"] },
        ]
      : user.rules.filter((r) => r.namespaces === undefined).map(toRule);
  const clusterRole = { metadata: { name }, rules: clusterRules };
  await upsert(
    () => rbac.createClusterRole({ body: clusterRole }),
    () => rbac.replaceClusterRole({ name, body: clusterRole }),
  );
  const clusterBinding = { metadata: { name }, subjects, roleRef: roleRef("ClusterRole") };
  await upsert(
    () => rbac.createClusterRoleBinding({ body: clusterBinding }),
    () => rbac.replaceClusterRoleBinding({ name, body: clusterBinding }),
  );
  const perNamespace = new Map<string, PolicyRule[]>();
  if (user.rules !== "cluster-admin") {
    for (const r of user.rules) {
      for (const ns of r.namespaces ?? []) perNamespace.set(ns, [...(perNamespace.get(ns) ?? []), r]);
    }
  }
  for (const [namespace, rules] of perNamespace) {
    await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
    const role = { metadata: { name, namespace }, rules: rules.map(toRule) };
    await upsert(
      () => rbac.createNamespacedRole({ namespace, body: role }),
      () => rbac.replaceNamespacedRole({ name, namespace, body: role }),
    );
    const binding = { metadata: { name, namespace }, subjects, roleRef: roleRef("Role") };
    await upsert(
      () => rbac.createNamespacedRoleBinding({ namespace, body: binding }),
      () => rbac.replaceNamespacedRoleBinding({ name, namespace, body: binding }),
    );
  }
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace: USERS_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token issued for ServiceAccount ${USERS_NAMESPACE}/${name}`);
  const username = `system:serviceaccount:${USERS_NAMESPACE}:${name}`;
  await untilAuthorized(admin, token, username, user.rules);
  return { token, username };
}

/** Waits until a SubjectAccessReview allows the first verb × resource of every rule (the RBAC cache caught up). */
async function untilAuthorized(
  admin: KubeConfig,
  token: string,
  username: string,
  rules: User["rules"],
): Promise<void> {
  // Asked as the user, with its token: the authenticator knows the new ServiceAccount and the authorizer's
  // caches hold its Role, ClusterRole and bindings. Every verb of every resource is probed, not only a rule's
  // first, so no grant of a rule can still be on its way when the caller starts using it.
  const asUser = new KubeConfig();
  asUser.loadFromOptions({
    clusters: admin.clusters,
    users: [{ name: username, token }],
    contexts: [{ name: "as-user", cluster: admin.getCurrentCluster()?.name as string, user: username }],
    currentContext: "as-user",
  });
  const authz = asUser.makeApiClient(AuthorizationV1Api);
  const probes =
    rules === "cluster-admin"
      ? [{ verb: "*", group: "*", resource: "*" }]
      : rules.flatMap((r) =>
          (r.namespaces ?? [undefined]).flatMap((namespace) =>
            r.verbs.flatMap((verb) =>
              r.resources.map((resource) => ({
                verb,
                group: r.apiGroups[0] ?? "",
                resource,
                ...(namespace ? { namespace } : {}),
              })),
            ),
          ),
        );
  const deadline = Date.now() + 30_000;
  for (const probe of probes) {
    for (;;) {
      const review = await authz
        .createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                ...probe,
                resource: probe.resource.split("/")[0],
                subresource: probe.resource.split("/")[1],
              },
            },
          },
        })
        .catch(() => undefined);
      if (review?.status?.allowed) break;
      if (Date.now() > deadline)
        throw new Error(`RBAC for ${username} not in effect: ${JSON.stringify(probe)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
