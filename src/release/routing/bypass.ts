/** An Ingress or HTTPRoute that sends to the Service itself, with where it takes requests from. */
export interface BypassRoute {
  kind: "Ingress" | "HTTPRoute";
  name: string;
  /** `host/path` of each rule that sends to the Service (or the hostnames of an HTTPRoute). */
  where: string[];
}

/**
 * The warning for the plan and the card: requests entering through these objects go from the ingress
 * controller straight to the Service's pods, so the VirtualService's split (applied by sidecars) does not see
 * them, and how to send them through the mesh instead.
 */
export function bypassNotice(service: string, routes: BypassRoute[]): string | undefined {
  if (routes.length === 0) return undefined;
  const named = routes.map((r) => `${r.kind} ${r.name} (${r.where.join(", ")})`).join(", ");
  const [verb, its] = routes.length === 1 ? ["sends", "its"] : ["send", "their"];
  return `${named} ${verb} to Service ${service} directly: ${its} traffic bypasses the split, which applies only to requests passing a mesh sidecar or gateway. To split it too, route it through the mesh: point the Ingress at the Istio ingress gateway (or KubeSphere's gateway with Application Governance on) and bind a Gateway to the service's VirtualService, or give the ingress controller an Istio sidecar.`;
}
