import type { BypassRoute } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

interface Backend {
  service?: { name?: string };
}
interface IngressSpec {
  defaultBackend?: Backend;
  rules?: { host?: string; http?: { paths?: { path?: string; backend?: Backend }[] } }[];
}
interface HTTPRouteSpec {
  hostnames?: string[];
  rules?: { backendRefs?: { name?: string; kind?: string; group?: string; namespace?: string }[] }[];
}

/** Whether the API server refused or does not serve the kind: then there is nothing to warn about that it shows. */
const unreadable = (error: unknown) => [403, 404].includes(Number((error as { status?: unknown }).status));

async function listOrNone(
  kube: Kube,
  apiVersion: string,
  kind: string,
  namespace: string,
): Promise<KubeObject[]> {
  try {
    return (await kube.list<KubeObject>(apiVersion, kind, namespace)).items;
  } catch (error) {
    if (unreadable(error)) return [];
    throw error;
  }
}

/**
 * Ingresses (networking.k8s.io/v1) and, with Gateway API served, HTTPRoutes that send to the Service itself:
 * their traffic reaches the pods without passing a sidecar's routes, so the job's split does not apply to it.
 * HTTPRoutes Graydesk manages are the split itself and are left out. One list call per kind.
 */
export async function bypassingRoutes(
  kube: Kube,
  namespace: string,
  service: string,
  options: { httpRoutes: boolean },
): Promise<BypassRoute[]> {
  const [ingresses, routes] = await Promise.all([
    listOrNone(kube, "networking.k8s.io/v1", "Ingress", namespace),
    options.httpRoutes ? listOrNone(kube, "gateway.networking.k8s.io/v1", "HTTPRoute", namespace) : [],
  ]);
  const found: BypassRoute[] = [];
  for (const ingress of ingresses) {
    const spec = (ingress.spec ?? {}) as IngressSpec;
    const paths = (spec.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? [])
        .filter((p) => p.backend?.service?.name === service)
        .map((p) => `${rule.host ?? "*"}${p.path ?? "/"}`),
    );
    if (spec.defaultBackend?.service?.name === service) paths.push("default backend");
    if (paths.length > 0) found.push({ kind: "Ingress", name: ingress.metadata.name, where: paths });
  }
  for (const route of routes) {
    if (route.metadata.labels?.["app.kubernetes.io/managed-by"] === "graydesk") continue;
    const spec = (route.spec ?? {}) as HTTPRouteSpec;
    const direct = (spec.rules ?? []).some((rule) =>
      (rule.backendRefs ?? []).some(
        (ref) =>
          ref.name === service &&
          (ref.kind ?? "Service") === "Service" &&
          (ref.group ?? "") === "" &&
          (ref.namespace ?? namespace) === namespace,
      ),
    );
    if (direct) found.push({ kind: "HTTPRoute", name: route.metadata.name, where: spec.hostnames ?? ["*"] });
  }
  return found;
}
