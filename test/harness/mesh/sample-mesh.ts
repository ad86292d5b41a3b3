// Snapshots and routing objects for tests that need no cluster: Bookinfo's reviews with chosen pod counts.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { DestinationRule, MeshPod, MeshService, MeshSnapshot, VirtualService } from "./types.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** A routing object from `test/fixtures/<path>`, placed in `namespace`. */
export function loadRoutingFixture<T extends VirtualService | DestinationRule>(
  path: string,
  namespace: string,
): T {
  const object = parse(readFileSync(new URL(path, FIXTURES), "utf8")) as T;
  object.metadata.namespace = namespace;
  return object;
}

export function readyPods(app: string, version: string, count: number, namespace: string): MeshPod[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${app}-${version}-7d4f9c${i}-x${i}k2p`,
    namespace,
    labels: { app, version },
    workload: `${app}-${version}`,
    serviceAccount: `bookinfo-${app}`,
    ip: `10.1.${version.replace(/\D/g, "") || "0"}.${i + 10}`,
  }));
}

export function bookinfoService(name: string, namespace: string): MeshService {
  return { name, namespace, selector: { app: name }, ports: [{ name: "http", port: 9080 }] };
}

/** reviews (and productpage, the caller) with the given number of ready pods per reviews version. */
export function reviewsSnapshot(
  podsPerVersion: Record<string, number>,
  routing: { virtualServices?: VirtualService[]; destinationRules?: DestinationRule[] } = {},
  namespace = "bookinfo",
): MeshSnapshot {
  return {
    services: [bookinfoService("reviews", namespace), bookinfoService("productpage", namespace)],
    pods: [
      ...readyPods("productpage", "v1", 1, namespace),
      ...Object.entries(podsPerVersion).flatMap(([version, n]) =>
        readyPods("reviews", version, n, namespace),
      ),
    ],
    virtualServices: routing.virtualServices ?? [],
    destinationRules: routing.destinationRules ?? [],
  };
}
