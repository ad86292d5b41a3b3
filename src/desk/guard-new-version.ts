import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { policyFor } from "../approvals/index.ts";
import { deploymentRef, type KubeObject, podGuardFacts } from "../cluster/index.ts";
import {
  type FieldError,
  guardNewVersionSettings,
  type NewVersionGuard,
  newSecretReferences,
  stableVersionOf,
} from "../release/index.ts";
import { type DeskContext, namespaceOperation } from "./context.ts";
import type { CreateJobInput } from "./types.ts";

/** What the pod-spec guard needs, read from the cluster and the policy: the stable pod, Secret types, PSA level. */
export async function readNewVersionGuard(
  ctx: DeskContext,
  namespace: string,
  stable: { version: string; deployment: KubeObject },
  options: { secrets?: boolean } = {},
): Promise<NewVersionGuard | undefined> {
  const stablePod = podOf(stable.deployment);
  if (!stablePod) return undefined;
  const facts = await podGuardFacts(ctx.reads, namespace, options);
  const registries = policyFor(ctx.policy, namespace, ctx.clusterName).allowedRegistries;
  return {
    stableVersion: stable.version,
    stablePod,
    secretTypes: [...facts.secretTypes],
    ...(registries ? { allowedRegistries: registries } : {}),
    ...(facts.podSecurity ? { podSecurity: facts.podSecurity } : {}),
  };
}

/**
 * The pod-spec guard for a job about to be created: the new version's pod, derived from the stable one, may not
 * raise privilege over it, must keep to the namespace's registries and Pod Security level. Runs before anything
 * is written; reads the namespace, and its Secrets' types when the new pod references a Secret the stable one
 * does not.
 */
export async function guardNewVersion(
  ctx: DeskContext,
  input: CreateJobInput,
  stable: { version: string; deployment: KubeObject },
): Promise<FieldError[]> {
  const stablePod = podOf(stable.deployment);
  // Secret types matter only for Secrets the stable pod does not reference already.
  const secrets = stablePod ? newSecretReferences(stablePod, input.newVersion.settings).length > 0 : false;
  const guard = await readNewVersionGuard(ctx, input.namespace, stable, { secrets });
  return guard ? guardNewVersionSettings(guard, input.newVersion.settings) : [];
}

function podOf(deployment: KubeObject): IPodSpec | undefined {
  return (deployment as unknown as IDeployment).spec?.template.spec as IPodSpec | undefined;
}

/** The guard for a service's next version, for forms that check as the user types (undefined: nothing deployed). */
export async function newVersionGuard(
  ctx: DeskContext,
  namespace: string,
  service: string,
): Promise<NewVersionGuard | undefined> {
  const op = namespaceOperation(ctx, namespace);
  const found = (await ctx.discovery.services(namespace, undefined, op.reads)).find(
    (s) => s.name === service,
  );
  const stable = found ? stableVersionOf(found.versions) : undefined;
  if (!stable) return undefined;
  const deployment = await op.reads.get<KubeObject>(deploymentRef(namespace, stable.deployment));
  return deployment ? readNewVersionGuard(op, namespace, { version: stable.version, deployment }) : undefined;
}
