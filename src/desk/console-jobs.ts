import {
  ClusterError,
  type DiscoveredService,
  type KubeObject,
  versionDeployments,
} from "../cluster/index.ts";
import type { ReleaseJob, StrategyObject } from "../release/index.ts";
import { initialTraffic, readStrategy, STRATEGY_API_VERSION } from "../release/index.ts";
import { audit, type DeskContext } from "./context.ts";
import { allJobs, saveJob } from "./records.ts";

/** A Strategy made in the console (not by Graydesk) that no job stands for yet. */
function unadopted(object: KubeObject, known: ReleaseJob[]): boolean {
  if (object.metadata.labels?.["app.kubernetes.io/managed-by"] === "graydesk") return false;
  return !known.some(
    (job) => job.namespace === object.metadata.namespace && job.name === object.metadata.name,
  );
}

/**
 * Adopts the console's jobs of one namespace, or of every namespace, before a command looks jobs up: one list
 * of Strategies, and a service discovery only where there is something new to adopt. Best effort: a command
 * about Graydesk's own jobs must not fail because the console's could not be read.
 */
export function adoptConsoleJobsBefore(ctx: DeskContext, namespace?: string): Promise<ReleaseJob[]> {
  return oneAtATime(ctx, () => adoptEverywhere(ctx, namespace));
}

async function adoptEverywhere(ctx: DeskContext, namespace?: string): Promise<ReleaseJob[]> {
  try {
    const caps = await ctx.discovery.capabilities();
    if (!caps.kubesphere) return [];
    const { items } = await ctx.kube.list<KubeObject>(STRATEGY_API_VERSION, "Strategy", namespace);
    const known = allJobs(ctx);
    const namespaces = new Set(
      items.filter((object) => unadopted(object, known)).map((object) => object.metadata.namespace ?? ""),
    );
    const adopted: ReleaseJob[] = [];
    for (const ns of [...namespaces].filter(Boolean))
      adopted.push(...(await adoptIn(ctx, ns, await ctx.discovery.services(ns))));
    return adopted;
  } catch (error) {
    // Release rights are granted per namespace: listing every namespace's Strategies may well be refused, and
    // is then no news (a command naming the namespace, or the channel's, adopts there).
    const refusedClusterWide =
      namespace === undefined && error instanceof ClusterError && error.status === 403;
    ctx.logger[refusedClusterWide ? "debug" : "warn"](
      { err: error, namespace },
      "KubeSphere console jobs could not be adopted",
    );
    return [];
  }
}

/**
 * Grayscale jobs made in the KubeSphere console are Strategy objects Graydesk did not create. They are
 * taken into the store as jobs (router `kubesphere`) so people can see and operate them from Slack.
 */
export function adoptConsoleJobs(
  ctx: DeskContext,
  namespace: string,
  services: DiscoveredService[],
): Promise<ReleaseJob[]> {
  return oneAtATime(ctx, () => adoptIn(ctx, namespace, services));
}

/** Adoptions run one after another, so two commands at once cannot adopt one Strategy twice. */
const adopting = new WeakMap<DeskContext, Promise<unknown>>();
function oneAtATime<T>(ctx: DeskContext, run: () => Promise<T>): Promise<T> {
  const next = (adopting.get(ctx) ?? Promise.resolve()).then(run, run);
  adopting.set(
    ctx,
    next.catch(() => undefined),
  );
  return next;
}

async function adoptIn(
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
    if (!unadopted({ ...object, metadata: { ...object.metadata, namespace } }, known)) continue;
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
