// T14: a watch from an old resourceVersion replays history while the server still holds it (a young
// cluster), and gets 410 Expired once the history window has moved on (as after etcd compaction).

import { CoreV1Api, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type KubeTestServer, startKubeServer } from "./index.ts";

let server: KubeTestServer;
beforeAll(async () => {
  server = await startKubeServer({ crds: [], watchHistory: 30 });
});
afterAll(() => server?.close());

function firstEvent(): Promise<{ type: string; obj: { code?: number; reason?: string } }> {
  return new Promise((resolve, reject) => {
    void new Watch(server.kubeConfig()).watch(
      "/api/v1/namespaces/default/configmaps",
      { resourceVersion: "1" },
      (type, obj) => resolve({ type, obj }),
      (err) => reject(err ?? new Error("closed")),
    );
  });
}

it("replays from resourceVersion 1 while it holds the history, then answers 410 Expired", async () => {
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "young" } } });
  // The window still reaches back to the first events (a namespace's ConfigMaps): they are replayed.
  expect(await firstEvent()).toMatchObject({ type: "ADDED", obj: { metadata: { namespace: "default" } } });
  for (let i = 0; i < 40; i++) {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `c${i}` } } });
  }
  expect(await firstEvent()).toMatchObject({ type: "ERROR", obj: { code: 410, reason: "Expired" } });
});
