import type { IngressBinding } from "../release/index.ts";
import type { Kube, KubeObject, MemoReads } from "./kube.ts";

export interface GatewayRoute {
  kind: "istio" | "kubesphere";
  name: string;
  namespace: string;
  hosts: string[];
}

interface Route {
  route?: { destination?: { host?: string } }[];
}

function shortHost(host: string, namespace: string): string {
  const [name, ns] = host.split(".");
  return ns === undefined || ns === namespace ? (name ?? host) : host;
}

const ISTIO = "networking.istio.io/v1";

/**
 * Istio Gateways whose VirtualServices route to a service, per service name. Two list calls per
 * namespace whatever the number of services; one (Gateways, which the read cache keeps) where it has none.
 */
export async function gatewaysByService(kube: Kube, namespace: string): Promise<Map<string, GatewayRoute[]>> {
  const gateways = await kube.list<KubeObject>(ISTIO, "Gateway", namespace);
  // Only this namespace's Gateways are matched below: without any, no VirtualService can name one.
  if (gateways.items.length === 0) return new Map();
  const services = await kube.list<KubeObject>(ISTIO, "VirtualService", namespace);
  return matchGateways(gateways.items, services.items, namespace);
}

/**
 * The Gateways that route to one service, listed only when a VirtualService in play binds one. Where the caller's
 * operation listed the namespace's VirtualServices already (a job's creation finds its routes by host), those
 * that route to the service are in play; for a job whose routes exist, its own VirtualService (`own`): its
 * creation bound it to every gateway then routing to the service. Otherwise as gatewaysByService.
 */
export async function gatewayRoutesOf(
  kube: Kube,
  namespace: string,
  service: string,
  own?: KubeObject,
): Promise<GatewayRoute[]> {
  const listed = (kube as Partial<MemoReads>).listed?.(ISTIO, "VirtualService", namespace) === true;
  if (!listed && !own) return (await gatewaysByService(kube, namespace)).get(service) ?? [];
  const services = own ? [own] : (await kube.list<KubeObject>(ISTIO, "VirtualService", namespace)).items;
  const bound = services.filter(
    (vs) => boundGateways(vs).length > 0 && routeTargets(vs, namespace).has(service),
  );
  if (bound.length === 0) return [];
  const gateways = await kube.list<KubeObject>(ISTIO, "Gateway", namespace);
  return matchGateways(gateways.items, bound, namespace).get(service) ?? [];
}

function boundGateways(vs: KubeObject): string[] {
  return ((vs.spec?.gateways as string[] | undefined) ?? []).filter((name) => name !== "mesh");
}

function routeTargets(vs: KubeObject, namespace: string): Set<string> {
  const routes = (vs.spec?.http as Route[] | undefined) ?? [];
  return new Set(
    routes.flatMap((route) =>
      (route.route ?? []).map((r) => shortHost(r.destination?.host ?? "", namespace)),
    ),
  );
}

function matchGateways(
  gateways: KubeObject[],
  services: KubeObject[],
  namespace: string,
): Map<string, GatewayRoute[]> {
  const byService = new Map<string, GatewayRoute[]>();
  for (const vs of services) {
    const bound = boundGateways(vs);
    if (bound.length === 0) continue;
    const targets = routeTargets(vs, namespace);
    for (const name of bound) {
      const [gatewayNamespace, gatewayName] = name.includes("/") ? name.split("/") : [namespace, name];
      const gateway = gateways.find(
        (item) =>
          item.metadata.name === gatewayName && (item.metadata.namespace ?? namespace) === gatewayNamespace,
      );
      if (!gateway) continue;
      const servers = (gateway.spec?.servers as { hosts?: string[] }[] | undefined) ?? [];
      const hosts = [...new Set(servers.flatMap((server) => server.hosts ?? []))];
      for (const target of targets) {
        const list = byService.get(target) ?? [];
        list.push({
          kind: "istio",
          name: gateway.metadata.name,
          namespace: gatewayNamespace ?? namespace,
          hosts,
        });
        byService.set(target, list);
      }
    }
  }
  return byService;
}

/** The binding the plan offers for the first gateway that reaches the service, if any. */
export function ingressBinding(routes: GatewayRoute[]): IngressBinding | undefined {
  const first = routes.find((route) => route.kind === "istio");
  if (!first) return undefined;
  // Hosts of a VirtualService bound to a gateway must be the gateway's, never "*" on a sidecar route.
  const hosts = first.hosts.filter((host) => host !== "*" && !host.includes("/"));
  return { kind: "istio-gateway", gateway: `${first.namespace}/${first.name}`, hosts };
}
