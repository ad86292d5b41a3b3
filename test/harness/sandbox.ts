// `npm run sandbox`: a Kubernetes API test server with Bookinfo, steady mesh traffic, /metrics and Jaeger.
// Point Graydesk at the printed kubeconfig, Prometheus-style metrics URL and Jaeger URL; Ctrl-C stops it all.
import { parseArgs } from "node:util";
import { loadBookinfo } from "./bookinfo.ts";
import { startKubeServer } from "./kube/index.ts";
import { productpageToReviews } from "./mesh/bookinfo-traffic.ts";
import { MeshSimulator } from "./mesh/index.ts";

const NAMESPACE = "bookinfo";
const { values } = parseArgs({
  options: { rps: { type: "string", default: "20" }, seed: { type: "string", default: "1" } },
});
const rps = Number(values.rps);
if (!(rps > 0)) throw new RangeError(`--rps must be a positive number, got ${values.rps}`);

const kube = await startKubeServer({ crds: ["istio", "kubesphere"] });
const kc = kube.kubeConfig();
// The usual start of a canary: reviews v1 only, and no DestinationRule until a release adds one.
await loadBookinfo(kc, NAMESPACE, { reviewsVersions: ["v1"] });
const mesh = new MeshSimulator({ kubeConfig: kc, namespaces: [NAMESPACE], seed: Number(values.seed) });
await mesh.refresh();
const telemetry = await mesh.serve();
const traffic = mesh.startTraffic({
  rps,
  requests: (i) => productpageToReviews(NAMESPACE, i),
  refreshMs: 1_000,
});

process.stdout.write(
  [
    "Graydesk sandbox is running.",
    `  kubeconfig:   ${kube.kubeconfigPath}`,
    `  API server:   ${kube.url}`,
    `  metrics:      ${telemetry.metricsUrl}`,
    `  Jaeger API:   ${telemetry.jaegerUrl}/api/traces?service=reviews.${NAMESPACE}`,
    `  traffic:      ${rps} rps productpage-v1 → reviews.${NAMESPACE}`,
    "Ctrl-C to stop.",
    "",
  ].join("\n"),
);

const report = setInterval(() => {
  const { total, byVersion, mirrored, byStatus } = traffic.counts;
  process.stdout.write(`${JSON.stringify({ total, byVersion, mirrored, byStatus })}\n`);
}, 10_000);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  process.stdout.write("Stopping…\n");
  await mesh.close();
  await kube.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
