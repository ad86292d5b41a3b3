// Runs the test API server on its own: `node test/harness/kube/cli.ts [--port N] [--kubeconfig PATH] [--crds istio,kubesphere]`.

import { copyFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Mesh } from "./index.ts";
import { startKubeServer } from "./index.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    kubeconfig: { type: "string" },
    crds: { type: "string" },
    "kubesphere-version": { type: "string" },
  },
});

const crds = values.crds === undefined ? undefined : (values.crds.split(",").filter(Boolean) as Mesh[]);
const server = await startKubeServer({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(crds ? { crds } : {}),
  ...(values["kubesphere-version"] === "3.3" ? { kubesphereVersion: "3.3" as const } : {}),
});
let path = server.kubeconfigPath;
if (values.kubeconfig) {
  copyFileSync(server.kubeconfigPath, values.kubeconfig);
  path = values.kubeconfig;
}
process.stdout.write(`${path}\n`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
