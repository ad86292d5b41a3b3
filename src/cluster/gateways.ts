import type { IngressBinding } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

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

/**
 * Istio Gateways whose VirtualServices route to a service, per service name. Two list calls per
 * namespace whatever the number of services; one (Gateways, which the read cache keeps) where it has none.
 */
export async function gatewaysByService(kube: Kube, namespace: string): Promise<Map<string, GatewayRoute[]>> {
  const byService = new Map<string, GatewayRoute[]>();
  const gateways = await kube.list<KubeObject>("networking.istio.io/v1", "Gateway", namespace);
  // Only this namespace's Gateways are matched below: without any, no VirtualService can name one.
  if (gateways.items.length === 0) return byService;
  const services = await kube.list<KubeObject>("networking.istio.io/v1", "VirtualService", namespace);
  for (const vs of services.items) {
    const bound = ((vs.spec?.gateways as string[] | undefined) ?? []).filter((name) => name !== "mesh");
    if (bound.length === 0) continue;
    const routes = (vs.spec?.http as Route[] | undefined) ?? [];
    const targets = new Set(
      routes.flatMap((route) =>
        (route.route ?? []).map((r) => shortHost(r.destination?.host ?? "", namespace)),
      ),
    );
    for (const name of bound) {
      const [gatewayNamespace, gatewayName] = name.includes("/") ? name.split("/") : [namespace, name];
      const gateway = gateways.items.find(
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
