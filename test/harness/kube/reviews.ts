// SelfSubjectAccessReview and SelfSubjectRulesReview: how a client asks "may I?" before trying. Every
// authenticated user may create both (kube's system:basic-user role); the answer comes from the same rules
// that authorize requests.

import { allowed, type User } from "./authz.ts";
import type { KubeObject } from "./store.ts";

export const REVIEW_TYPES = [
  { resource: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview" },
  { resource: "selfsubjectrulesreviews", kind: "SelfSubjectRulesReview" },
] as const;

const BASIC_USER = {
  verbs: ["create"],
  apiGroups: ["authorization.k8s.io"],
  resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
};

interface ResourceAttributes {
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The review object kube answers with (201): the request's spec and the decision as status. */
export function answerReview(resource: string, body: KubeObject, user: User): KubeObject {
  const spec = (body.spec ?? {}) as {
    resourceAttributes?: ResourceAttributes;
    nonResourceAttributes?: { path?: string; verb?: string };
    namespace?: string;
  };
  const kind = REVIEW_TYPES.find((t) => t.resource === resource)?.kind ?? "SelfSubjectAccessReview";
  const head = { kind, apiVersion: "authorization.k8s.io/v1", metadata: {} };
  if (resource === "selfsubjectrulesreviews")
    return { ...head, spec, status: rulesIn(user, spec.namespace) } as never;
  const a = spec.resourceAttributes;
  const ok = a
    ? allowed(user, {
        verb: a.verb ?? "",
        group: a.group ?? "",
        resource: a.resource ?? "",
        ...(a.subresource ? { subresource: a.subresource } : {}),
        ...(a.namespace ? { namespace: a.namespace } : {}),
      }) ||
      (a.group === "authorization.k8s.io" &&
        a.verb === "create" &&
        BASIC_USER.resources.includes(a.resource ?? ""))
    : user.rules === "cluster-admin";
  return { ...head, spec, status: { allowed: ok } };
}

function rulesIn(user: User, namespace: string | undefined) {
  if (user.rules === "cluster-admin") {
    return {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, BASIC_USER],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    };
  }
  const applying = user.rules.filter(
    (r) => r.namespaces === undefined || (namespace !== undefined && r.namespaces.includes(namespace)),
  );
  return {
    resourceRules: [
      ...applying.map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources })),
      BASIC_USER,
    ],
    nonResourceRules: [],
    incomplete: false,
  };
}
