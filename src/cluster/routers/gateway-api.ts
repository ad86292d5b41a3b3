import type {
  GatewayApiFeatures,
  HttpRouteObject,
  HttpRouteSpec,
  RecordedOriginal,
  ReleaseJob,
  TrafficPolicy,
  Version,
} from "../../release/index.ts";
import {
  byText,
  desiredHttpRoute,
  desiredVersionService,
  GATEWAY_API_VERSION,
  gatewaysOnly,
  JOB_LABEL,
  jobVersions,
  matchNotes,
  ReleaseError,
  readHttpRoute,
  routesService,
  versionServiceName,
} from "../../release/index.ts";
import type { KubeObject } from "../kube.ts";
import { versionDeployments } from "../workloads.ts";
import { deleteStep, gaining, hasOriginals, waitReadyStep, writeStep } from "./steps.ts";
import { joinParts, type PlanPart, type RouterDeps, type TrafficRouter } from "./types.ts";

export interface GatewayApiRouterDeps extends RouterDeps {
  /** What the cluster's HTTPRoute schema can express. */
  features: GatewayApiFeatures;
}

const nothing = (): PlanPart => ({ steps: [], preconditions: [], notes: [] });

/**
 * Gateway API: a Service per version (`<service>-<version>`, selecting the version label) and the HTTPRoute
 * rules that send the service's requests to them. The routes that carry the service (attached to it, GAMMA,
 * or to Gateways) are rewritten from the spec the job found; without one the job creates a mesh route.
 */
export function gatewayApiRouter(deps: GatewayApiRouterDeps): TrafficRouter {
  const { kube, features } = deps;
  const routeRef = (job: ReleaseJob, name: string) => ({
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    namespace: job.namespace,
    name,
  });
  const serviceRef = (job: ReleaseJob, name: string) => ({
    apiVersion: "v1",
    kind: "Service",
    namespace: job.namespace,
    name,
  });

  /** Routes carrying the service, oldest first (Gateway API's tie-break between routes). */
  async function routes(job: ReleaseJob): Promise<HttpRouteObject[]> {
    const { items } = await kube.list<KubeObject>(GATEWAY_API_VERSION, "HTTPRoute", job.namespace);
    return (items as unknown as HttpRouteObject[])
      .filter((route) => routesService(route, job))
      .sort(
        (a, b) =>
          byText(String(a.metadata.creationTimestamp), String(b.metadata.creationTimestamp)) ||
          byText(a.metadata.name, b.metadata.name),
      );
  }

  const recorded = (job: ReleaseJob, kind: string, name: string) =>
    job.originals.find((o) => o.kind === kind && o.name === name);

  /** The route's spec as the job found it; undefined when the job created it (or creates it now). */
  function foundSpec(job: ReleaseJob, route: HttpRouteObject): HttpRouteSpec | undefined {
    const original = recorded(job, "HTTPRoute", route.metadata.name);
    if (original) return original.spec as HttpRouteSpec | undefined;
    return route.metadata.labels?.[JOB_LABEL] === job.name ? undefined : route.spec;
  }

  async function versionServices(job: ReleaseJob): Promise<Map<Version, KubeObject | undefined>> {
    const found = await Promise.all(
      jobVersions(job).map(
        async (version) =>
          [
            version,
            await kube.get<KubeObject>(serviceRef(job, versionServiceName(job.service.name, version))),
          ] as const,
      ),
    );
    return new Map(found);
  }

  async function waitFor(job: ReleaseJob, versions: Version[]): Promise<PlanPart> {
    if (versions.length === 0) return nothing();
    const deployments = await versionDeployments(kube, job.namespace, job.service.name);
    const steps = versions.flatMap((version) => {
      const deployment = deployments.get(version);
      return deployment ? [waitReadyStep(job.namespace, deployment.metadata.name)] : [];
    });
    return { steps, preconditions: [], notes: [] };
  }

  return {
    kind: "gateway-api",

    async reconcile(job) {
      const service = await kube.get<KubeObject>(serviceRef(job, job.service.name));
      if (!service) {
        throw new ReleaseError("not-found", `Service ${job.namespace}/${job.service.name} is gone.`);
      }
      const base = {
        selector: (service.spec?.selector as Record<string, string> | undefined) ?? {},
        ports: (service.spec?.ports as unknown[] | undefined) ?? [],
      };
      const existing = await versionServices(job);
      const parts: PlanPart[] = [];
      for (const [version, found] of existing) {
        // A Service of that name someone else made is used as it is; Graydesk only creates missing ones.
        if (found) continue;
        const desired = desiredVersionService(job, version, base);
        parts.push(writeStep(serviceRef(job, desired.metadata.name), undefined, desired));
      }
      const part = joinParts(...parts);
      if (hasOriginals(job)) return part;
      const found = await routes(job);
      const originals: RecordedOriginal[] = [
        ...(found.length > 0
          ? found.map((route) => ({
              apiVersion: GATEWAY_API_VERSION,
              kind: "HTTPRoute",
              name: route.metadata.name,
              ...(route.metadata.labels?.[JOB_LABEL] === job.name ? {} : { spec: route.spec }),
            }))
          : [{ apiVersion: GATEWAY_API_VERSION, kind: "HTTPRoute", name: job.service.name }]),
        ...[...existing].map(([version, object]) => ({
          apiVersion: "v1",
          kind: "Service",
          name: versionServiceName(job.service.name, version),
          ...(object ? { spec: object.spec } : {}),
        })),
      ];
      return { ...part, originals };
    },

    async setRoutes(job, policy: TrafficPolicy) {
      const found = await routes(job);
      const view = { ...job, traffic: policy };
      const writes =
        found.length === 0
          ? [
              writeStep(
                routeRef(job, job.service.name),
                undefined,
                desiredHttpRoute(view, policy, features) as unknown as KubeObject,
              ),
            ]
          : found.map((route) =>
              writeStep(
                routeRef(job, route.metadata.name),
                route as unknown as KubeObject,
                desiredHttpRoute(view, policy, features, route, foundSpec(job, route)),
              ),
            );
      const notes = policy.kind === "match" ? matchNotes(policy.rules) : [];
      for (const route of found) {
        const gateways = gatewaysOnly(route);
        if (gateways) {
          notes.push(
            `HTTPRoute ${route.metadata.name} is attached to Gateway ${gateways.join(", ")} only: requests entering there are split, requests between pods inside the mesh are not.`,
          );
        }
      }
      return joinParts(await waitFor(job, gaining(job, policy)), ...writes, {
        steps: [],
        preconditions: [],
        notes,
      });
    },

    async getRoutes(job) {
      const [first] = await routes(job);
      return first ? readHttpRoute(first, job) : undefined;
    },

    async finalize(job) {
      if (!hasOriginals(job)) return nothing();
      const parts: PlanPart[] = [];
      for (const route of await routes(job)) {
        const original = recorded(job, "HTTPRoute", route.metadata.name);
        if (!original) continue;
        const ref = routeRef(job, route.metadata.name);
        const object = route as unknown as KubeObject;
        parts.push(
          original.spec === undefined
            ? deleteStep(ref, object)
            : writeStep(ref, object, { spec: original.spec }),
        );
      }
      for (const [version, object] of await versionServices(job)) {
        const original = recorded(job, "Service", versionServiceName(job.service.name, version));
        if (object && original && original.spec === undefined) {
          parts.push(deleteStep(serviceRef(job, object.metadata.name), object));
        }
      }
      return joinParts(...parts);
    },

    async objects(job) {
      const services = [...(await versionServices(job)).values()].filter(
        (object): object is KubeObject => object !== undefined,
      );
      return [...((await routes(job)) as unknown as KubeObject[]), ...services];
    },
  };
}
