// Host names as Istio resolves them: a short name in a VirtualService or DestinationRule is relative to the
// namespace of the object that holds it, not to the caller.

const CLUSTER_DOMAIN = "svc.cluster.local";

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** `reviews` → `reviews.<ns>.svc.cluster.local`; `reviews.bookinfo` → `reviews.bookinfo.svc.cluster.local`. */
export function resolveHost(host: string, namespace: string): string {
  const bare = host.replace(/\.$/, "").toLowerCase();
  if (bare.startsWith("*")) return bare;
  const parts = bare.split(".");
  if (parts.length === 1) return serviceFqdn(bare, namespace);
  if (parts.length === 2) return `${bare}.${CLUSTER_DOMAIN}`;
  if (bare.endsWith(".svc")) return `${bare}.cluster.local`;
  return bare;
}

/** VirtualService hosts may be wildcards such as `*.bookinfo.svc.cluster.local` or `*`. */
export function hostMatches(pattern: string, fqdn: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*")) return fqdn.endsWith(pattern.slice(1));
  return pattern === fqdn;
}
