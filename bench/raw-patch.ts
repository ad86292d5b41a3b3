import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { timeKubeRequests } from "./kube-timeline.ts";
import type { BenchWorld } from "./world.ts";

/** Where the floor's twins live: a namespace Graydesk manages nothing in. */
export const FLOOR_NAMESPACE = "graydesk-bench-floor";

/**
 * The floor of a traffic change, measured in the same run as Graydesk's: a twin of an app's VirtualService (same
 * spec, same size, in a namespace of its own) merge-patched with what it holds now, by a pooled client in
 * Graydesk's own process. The twin keeps the floor from changing the objects Graydesk plans from: a patch of the
 * app's own VirtualService is someone else's change to Graydesk, which then (rightly) reads it again before its
 * next request. Milliseconds from sending the patch to the test server recording it, as Graydesk's approve →
 * patch is timed.
 */
export function rawPatchFloor(
  world: Pick<BenchWorld, "graydesk" | "kubeconfigPath">,
  timeline: ReturnType<typeof timeKubeRequests>,
) {
  const kc = new KubeConfig();
  kc.loadFromFile(world.kubeconfigPath);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const twins = new Map<string, { http: unknown[] }>();
  let namespace: Promise<unknown> | undefined;
  const twinOf = async (name: string, from: string) => {
    const key = `${from}/${name}`;
    const known = twins.get(key);
    if (known) return known;
    namespace ??= objects
      .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: FLOOR_NAMESPACE } })
      .catch(() => undefined);
    await namespace;
    const source = (await objects.read({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name, namespace: from },
    })) as unknown as { spec: { http: unknown[] } & Record<string, unknown> };
    await objects.create({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: `${from}-${name}`, namespace: FLOOR_NAMESPACE },
      spec: source.spec,
    } as never);
    const twin = { http: source.spec.http };
    twins.set(key, twin);
    return twin;
  };
  return {
    objects,
    async measure(name = "reviews", from = "bookinfo"): Promise<number> {
      const twin = await twinOf(name, from);
      const ref = {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: `${from}-${name}`, namespace: FLOOR_NAMESPACE },
      };
      const done = timeline.nextWrite("virtualservices", 30_000, ref.metadata.name);
      const t0 = performance.now();
      await world.graydesk.rawPatch({ ...ref, spec: { http: twin.http } }, world.kubeconfigPath);
      return (await done) - t0;
    },
  };
}
