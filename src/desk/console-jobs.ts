import { type DiscoveredService, type KubeObject, versionDeployments } from "../cluster/index.ts";
import type { ReleaseJob, StrategyObject } from "../release/index.ts";
import { initialTraffic, readStrategy, STRATEGY_API_VERSION } from "../release/index.ts";
import { audit, type DeskContext } from "./context.ts";
import { allJobs, saveJob } from "./records.ts";

/**
 * Grayscale jobs made in the KubeSphere console are Strategy objects Graydesk did not create. They are
 * taken into the store as jobs (router `kubesphere`) so people can see and operate them from Slack.
 */
export async function adoptConsoleJobs(
  ctx: DeskContext,
  namespace: string,
  services: DiscoveredService[],
): Promise<ReleaseJob[]> {
  const caps = await ctx.discovery.capabilities();
  if (!caps.kubesphere) return [];
  const { items } = await ctx.kube.list<KubeObject>(STRATEGY_API_VERSION, "Strategy", namespace);
  const known = allJobs(ctx);
  const adopted: ReleaseJob[] = [];
  for (const object of items) {
    if (object.metadata.labels?.["app.kubernetes.io/managed-by"] === "graydesk") continue;
    if (known.some((job) => job.namespace === namespace && job.name === object.metadata.name)) continue;
    const view = readStrategy(object as unknown as StrategyObject);
    const service = services.find((item) => item.name === view.service);
    const stable = view.principal ?? view.versions[0];
    const next = view.versions.find((version) => version !== stable);
    if (!service || !stable || !next) continue;
    const deployment = (await versionDeployments(ctx.kube, namespace, service.name)).get(next);
    const at = ctx.now();
    const job: ReleaseJob = {
      id: ctx.newId("job"),
      name: object.metadata.name,
      namespace,
      app: service.app,
      service: { name: service.name, ports: service.ports },
      strategy: view.strategy,
      router: "kubesphere",
      stableVersion: stable,
      newVersion: {
        version: next,
        settings: {
          replicas: Number(deployment?.spec?.replicas ?? 1),
          containers: { mode: "replace-image", images: {} },
        },
      },
      traffic: view.split ?? initialTraffic(view.strategy, stable, next),
      state: view.governor ? "taken-over" : "active",
      ...(view.governor ? { takenOverBy: view.governor } : {}),
      history: [{ at, actor: "console", kind: "adopted", detail: "made in the KubeSphere console" }],
      createdAt: at,
      createdBy: "console",
      originals: [
        { apiVersion: STRATEGY_API_VERSION, kind: "Strategy", name: object.metadata.name, spec: object.spec },
      ],
    };
    adopted.push(await saveJob(ctx, job, "adopted"));
    await audit(ctx, {
      kind: "job.adopted",
      actor: "console",
      job: job.id,
      namespace,
      detail: { strategy: job.name },
    });
  }
  return adopted;
}
