import {
  AlreadyExists,
  type DiscoveredService,
  deploymentRef,
  Interrupted,
  type Kube,
  type KubeObject,
} from "../cluster/index.ts";
import type { FieldError, ReleaseJob, RouterKind } from "../release/index.ts";
import {
  assertNoFieldErrors,
  initialTraffic,
  newVersionProposal,
  ReleaseError,
  stableVersionOf,
  validateJobName,
  validateNewVersion,
  validateServiceChoice,
  validateTrafficPolicy,
} from "../release/index.ts";
import type { StoredRecord } from "../store/index.ts";
import type { ComputedPlan } from "./compute-plan.ts";
import { audit, type DeskContext, namespaceOperation, operation, routerOf } from "./context.ts";
import { guardNewVersion } from "./guard-new-version.ts";
import { computePreparePlan, deploymentFor, holdingNote, runPreparePlan } from "./prepare-job.ts";
import { prepared, undoPrepare } from "./prepared.ts";
import { allJobs, isLive, type PlanRecord } from "./records.ts";
import type { CreateJobInput, CreateJobOptions } from "./types.ts";

/**
 * Validates every field against the live namespace, then deploys the new version with no traffic: the
 * routes first hold all traffic on the stable version (no approval needed, nothing moves), then the
 * Deployment is created; the job stays `deploying` until it is ready.
 */
export async function createJob(
  ctx: DeskContext,
  input: CreateJobInput,
  actor: string,
  options: CreateJobOptions = {},
): Promise<ReleaseJob> {
  // The services the request looked up before (the command, the wizard's last step) are not read again; what
  // the references and the pod guard are checked against (ConfigMaps, Secrets) is read for this job alone.
  const op = namespaceOperation(ctx, input.namespace);
  const own = operation(ctx);
  // ConfigMaps and Secrets are looked up only for containers described in full (their references).
  const described = input.newVersion.settings.containers.mode === "full";
  const [services, config] = await Promise.all([
    // The creation reads no service's gateways: its routes find the job's own (see gatewayRoutesOf).
    ctx.discovery.services(input.namespace, undefined, op.reads, { gateways: false }),
    described
      ? ctx.discovery.namespaceConfig(input.namespace, own.reads)
      : { configMaps: {}, secrets: {}, pullSecrets: [] },
  ]);
  const service = services.find((item) => item.name === input.service);
  if (!service) {
    throw new ReleaseError("invalid-field", `There is no service ${input.service} in ${input.namespace}.`, {
      fields: [{ field: "service", message: `There is no service ${input.service} in ${input.namespace}.` }],
    });
  }
  const active = allJobs(ctx).find(
    (job) => isLive(job) && job.namespace === input.namespace && job.service.name === input.service,
  );
  if (active) {
    throw new ReleaseError(
      "not-allowed",
      `Service ${input.service} already has a release job, ${active.name} (${active.state.replace("-", " ")}): take it offline (or abandon it, if it failed) before starting another.`,
    );
  }
  const stable = stableVersionOf(service.versions, input.newVersion.version);
  const router = input.router ?? service.routers[0] ?? "replicas";
  const versions = service.versions.map((v) => v.version);
  const stableDeployment = stable
    ? await op.reads.get<KubeObject>(deploymentRef(input.namespace, stable.deployment))
    : undefined;
  const containers = podContainers(stableDeployment);
  const errors: FieldError[] = [
    ...validateJobName(input.name),
    ...nameTaken(ctx, input),
    ...(input.app === service.app
      ? []
      : [
          {
            field: "app",
            message: `Service ${service.name} belongs to app ${service.app}, not ${input.app}.`,
          },
        ]),
    ...validateServiceChoice({
      app: { name: service.app, kind: service.template ? "template" : "composed" },
      service: { name: service.name, versions },
    }),
    ...routerProblems(service, router, input),
    ...validateNewVersion(input.newVersion, {
      existingVersions: versions,
      stableContainers: containers,
      namespace: { ...config, ...podVolumes(stableDeployment) },
    }),
    ...(input.requestedTraffic && stable
      ? validateTrafficPolicy(input.requestedTraffic, {
          strategy: input.strategy,
          versions: [stable.version, input.newVersion.version],
        })
      : []),
  ];
  assertNoFieldErrors(errors, "The release job cannot be created");
  if (!stable || !stableDeployment)
    throw new ReleaseError("not-found", `Service ${service.name} has no deployed version.`);
  assertNoFieldErrors(
    await guardNewVersion(own, input, { version: stable.version, deployment: stableDeployment }),
    "The release job cannot be created",
  );

  const next = input.newVersion.version;
  const at = ctx.now();
  const job: ReleaseJob = {
    id: ctx.newId("job"),
    name: input.name,
    ...(ctx.clusterName ? { cluster: ctx.clusterName } : {}),
    namespace: input.namespace,
    app: service.app,
    service: { name: service.name, ports: service.ports },
    strategy: input.strategy,
    router,
    stableVersion: stable.version,
    newVersion: input.newVersion,
    // The routes hold all traffic on the stable version; what was asked for is a promise, not the split.
    traffic: initialTraffic(input.strategy, stable.version, next),
    ...(input.requestedTraffic
      ? {
          promised: {
            traffic: input.requestedTraffic,
            by: actor,
            ...(input.requestedByTeam ? { team: input.requestedByTeam } : {}),
            ...(input.channel ? { channel: input.channel } : {}),
            state: "promised" as const,
          },
        }
      : {}),
    state: "deploying",
    history: [
      { at, actor, kind: "created", detail: `${next} deployed beside ${stable.version} with no traffic` },
    ],
    createdAt: at,
    createdBy: actor,
    ...(input.channel ? { channel: input.channel } : {}),
    originals: [],
  };
  const deployment = deploymentFor(job, stableDeployment);
  assertNoFieldErrors(await deploymentTaken(op.reads, deployment), "The release job cannot be created");
  const { plan, part } = await computePreparePlan(op, await routerOf(op, job), job, deployment);
  if (options.approval) {
    const proposed = await propose(ctx, job, { plan, part }, stableDeployment, deployment, actor);
    // As for any planned change: the cards drawn under the request read what the proposal read (nothing was
    // written), and the card after its apply those reads with the writes' answers laid over.
    ctx.recent.keep(proposed, op.reads);
    ctx.recent.keepPlan(plan.id, op.reads);
    return proposed;
  }
  const record: PlanRecord = {
    id: plan.id,
    plan,
    change: { kind: "prepare" },
    status: "applying",
    requestedBy: actor,
    createdAt: at,
    ...(part.originals && part.originals.length > 0 ? { originals: part.originals } : {}),
  };
  // The job is stored before anything is written, so recover() can finish the plan after a crash.
  await ctx.store.update((draft) => {
    draft.jobs[job.id] = job as unknown as StoredRecord;
    draft.plans[plan.id] = record as unknown as StoredRecord;
  });
  try {
    // The new Deployment's absence is not read again: the namespace's Deployments were just listed (see
    // deploymentTaken), and its create is refused if someone made one since; that failure is undone below.
    await runPreparePlan(ctx, plan, { job, reads: op.reads }, { undone: true });
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    const undone = await undoPrepare(ctx, record, error, actor);
    if (error instanceof AlreadyExists) throw createdMeanwhile(error, undone);
    throw error;
  }
  // Its card, posted next, is drawn from the creation's reads and writes' answers; they are dropped once the new
  // version is ready (see Deployments), after a few seconds, or at the next write in the namespace.
  return prepared(ctx, record, actor);
}

/**
 * The new version waits for an approval (policy `approveNewVersions`): the job and its plan are stored, nothing
 * is written to the cluster; approving the request applies the plan like any other (see applyPlan).
 */
async function propose(
  ctx: DeskContext,
  created: ReleaseJob,
  { plan, part }: ComputedPlan,
  stable: KubeObject,
  deployment: KubeObject,
  actor: string,
): Promise<ReleaseJob> {
  const next = created.newVersion.version;
  const job: ReleaseJob = {
    ...created,
    state: "awaiting-approval",
    proposal: newVersionProposal(plan.id, stable, deployment),
    history: [
      {
        at: created.createdAt,
        actor,
        kind: "proposed",
        detail: `${next} proposed beside ${created.stableVersion}; nothing is deployed until it is approved`,
      },
    ],
  };
  // Notes are not hashed: the approver reads why the routes come first, not that it needs no approval.
  const notes = plan.notes.map((note) =>
    note === holdingNote(created) ? approvedHoldingNote(created) : note,
  );
  const record: PlanRecord = {
    id: plan.id,
    plan: { ...plan, notes },
    change: { kind: "prepare" },
    status: "proposed",
    requestedBy: actor,
    createdAt: created.createdAt,
    ...(part.originals && part.originals.length > 0 ? { originals: part.originals } : {}),
  };
  await ctx.store.update((draft) => {
    draft.jobs[job.id] = job as unknown as StoredRecord;
    draft.plans[plan.id] = record as unknown as StoredRecord;
  });
  await audit(ctx, {
    kind: "job.proposed",
    actor,
    job: job.id,
    namespace: job.namespace,
    detail: { name: job.name, service: job.service.name, version: next, plan: plan.id, hash: plan.hash },
  });
  return job;
}

function approvedHoldingNote(job: ReleaseJob): string {
  return `All traffic stays on ${job.stableVersion}: the routes are set before ${job.newVersion.version} exists, so its pods get no requests until an approved traffic change.`;
}

function podContainers(deployment: KubeObject | undefined): string[] {
  const spec = (
    deployment?.spec?.template as
      | { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } }
      | undefined
  )?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((container) => container.name);
}

/** The stable pod's volumes: a described container may mount only these. */
function podVolumes(deployment: KubeObject | undefined): { volumes?: string[] } {
  const spec = (deployment?.spec?.template as { spec?: { volumes?: { name: string }[] } } | undefined)?.spec;
  return spec ? { volumes: (spec.volumes ?? []).map((volume) => volume.name) } : {};
}

/**
 * A Deployment of the new version's name that is no version of the service (those are refused as versions that
 * exist): found in the namespace's Deployment list the creation read, so it costs no request.
 */
async function deploymentTaken(reads: Kube, deployment: KubeObject): Promise<FieldError[]> {
  const name = deployment.metadata.name;
  const found = await reads.get<KubeObject>(deploymentRef(deployment.metadata.namespace ?? "", name));
  if (!found) return [];
  return [
    {
      field: "version",
      message: `A Deployment called ${name} already exists in ${deployment.metadata.namespace}: choose another version name, or remove that Deployment.`,
    },
  ];
}

/** The new version's Deployment appeared between the creation's reads and its create: said as such. */
function createdMeanwhile(error: AlreadyExists, undone: boolean): ReleaseError {
  const { kind, namespace, name } = error.ref;
  const back = undone
    ? "What Graydesk had written for the job was put back as it was"
    : "Graydesk could not put back everything it had written for the job";
  return new ReleaseError(
    "conflict",
    `The release job was not created: ${kind} ${namespace}/${name} was created by someone else while Graydesk was creating the job. ${back}; that ${kind} was left alone. Choose another version name, or remove it, and try again.`,
    { cause: error, retryable: false },
  );
}

function nameTaken(ctx: DeskContext, input: CreateJobInput): FieldError[] {
  const taken = allJobs(ctx).some(
    (job) => isLive(job) && job.namespace === input.namespace && job.name === input.name,
  );
  return taken
    ? [{ field: "name", message: `A job called ${input.name} already runs in ${input.namespace}.` }]
    : [];
}

function routerProblems(service: DiscoveredService, router: RouterKind, input: CreateJobInput): FieldError[] {
  if (!service.routers.includes(router)) {
    return [
      {
        field: "router",
        message: `Service ${service.name} cannot use the ${router} router here; choose ${service.routers.join(" or ")}.`,
      },
    ];
  }
  if (router === "replicas" && input.strategy === "mirror") {
    return [
      {
        field: "strategy",
        message: "Mirroring traffic needs a service mesh; this service is split by replicas.",
      },
    ];
  }
  const match = input.requestedTraffic?.kind === "match";
  if (router === "replicas" && match) {
    return [
      {
        field: "traffic",
        message: "Routing by request parameters needs a service mesh; this service is split by replicas.",
      },
    ];
  }
  return [];
}
