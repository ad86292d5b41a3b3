import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { timeKubeRequests } from "./kube-timeline.ts";
import type { BenchWorld } from "./world.ts";

/**
 * The floor of a traffic change, measured in the same run as Graydesk's: one app's VirtualService merge-patched
 * with what it holds now (so no plan becomes stale) by a pooled client in Graydesk's own process. Milliseconds
 * from sending the patch to the test server recording it, as Graydesk's approve → patch is timed.
 */
export function rawPatchFloor(
  world: Pick<BenchWorld, "graydesk" | "kubeconfigPath">,
  timeline: ReturnType<typeof timeKubeRequests>,
) {
  const kc = new KubeConfig();
  kc.loadFromFile(world.kubeconfigPath);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  return {
    objects,
    async measure(name = "reviews", namespace = "bookinfo"): Promise<number> {
      const ref = {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name, namespace },
      };
      const current = (await objects.read(ref)) as unknown as { spec: { http: unknown[] } };
      const done = timeline.nextWrite("virtualservices", 30_000, name);
      const t0 = performance.now();
      await world.graydesk.rawPatch({ ...ref, spec: { http: current.spec.http } }, world.kubeconfigPath);
      return (await done) - t0;
    },
  };
}
