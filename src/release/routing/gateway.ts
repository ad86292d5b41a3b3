import type { ReleaseJob } from "../job.ts";

/** How the service is reached from outside the mesh, if it is. */
export type IngressBinding =
  | { kind: "istio-gateway"; gateway: string; hosts: string[] }
  | { kind: "kubesphere-gateway"; governance: boolean };

/**
 * The plan note about ingress traffic: a VirtualService without `gateways` binds to sidecars only, so
 * requests entering through a gateway are split only when the routes bind to it too.
 */
export function gatewayNotice(
  job: Pick<ReleaseJob, "service">,
  ingress?: IngressBinding,
): string | undefined {
  const service = job.service.name;
  if (!ingress) return undefined;
  if (ingress.kind === "istio-gateway") {
    return `${service} is reached through gateway ${ingress.gateway}: the routes bind to it and to mesh, because a VirtualService without gateways only splits traffic between sidecars.`;
  }
  if (ingress.governance) {
    return `${service} is reached through the KubeSphere gateway with Application Governance on: its sidecar applies the split.`;
  }
  return `${service} is reached through the KubeSphere gateway without Application Governance: requests from outside bypass the split, which only applies between sidecars. Turn governance on for the gateway.`;
}
