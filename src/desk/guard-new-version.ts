import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { policyFor } from "../approvals/index.ts";
import { type KubeObject, podGuardFacts } from "../cluster/index.ts";
import { deriveNewVersionDeployment, type FieldError, guardPodSpec } from "../release/index.ts";
import type { DeskContext } from "./context.ts";
import type { CreateJobInput } from "./types.ts";

/**
 * The pod-spec guard for a job about to be created: the new version's pod, derived from the stable one, may not
 * raise privilege over it, must keep to the namespace's registries and Pod Security level. Runs before anything
 * is written; reads the namespace and its Secrets' types.
 */
export async function guardNewVersion(
  ctx: DeskContext,
  input: CreateJobInput,
  stable: { version: string; deployment: KubeObject },
): Promise<FieldError[]> {
  const deployment = stable.deployment as unknown as IDeployment;
  const stableSpec = deployment.spec?.template.spec as IPodSpec | undefined;
  if (!stableSpec) return [];
  const next = deriveNewVersionDeployment(deployment, input.newVersion.settings, {
    service: input.service,
    version: input.newVersion.version,
    job: input.name,
  }).spec?.template.spec as IPodSpec;
  const facts = await podGuardFacts(ctx.reads, input.namespace);
  const registries = policyFor(ctx.policy, input.namespace, ctx.clusterName).allowedRegistries;
  return guardPodSpec({
    stable: stableSpec,
    next,
    stableVersion: stable.version,
    secretTypes: facts.secretTypes,
    ...(registries ? { allowedRegistries: registries } : {}),
    ...(facts.podSecurity ? { podSecurity: facts.podSecurity } : {}),
  });
}
