import { bypassingRoutes } from "../cluster/index.ts";
import { bypassNotice, type ReleaseJob } from "../release/index.ts";
import type { DeskContext } from "./context.ts";

/**
 * The warning that Ingresses or HTTPRoutes send to the job's Service directly, bypassing the split; undefined
 * when none does. With the Gateway API router, HTTPRoutes are the split, so only Ingresses are looked at.
 */
export async function bypassWarning(ctx: DeskContext, job: ReleaseJob): Promise<string | undefined> {
  const caps = await ctx.discovery.capabilities();
  const routes = await bypassingRoutes(ctx.reads, job.namespace, job.service.name, {
    httpRoutes: Boolean(caps.gatewayApi) && job.router !== "gateway-api",
  });
  return bypassNotice(job.service.name, routes);
}
