import type { DeskContext } from "./context.ts";
import { type Pruned, pruneStore } from "./retention.ts";

/** Drops what the store no longer needs, in one store update; run at start-up and then periodically. */
export async function prune(ctx: DeskContext): Promise<Pruned> {
  const now = ctx.clock();
  // Scans the stored state (no copies); only what is pruned is written, through the draft.
  const pruned = await ctx.store.update((draft) => pruneStore(draft, now, ctx.retention, ctx.store.data()));
  if (Object.values(pruned).some((count) => count > 0)) ctx.logger.info(pruned, "store pruned");
  return pruned;
}

/** Prunes every `everyMs` until stopped; a failed prune is logged and tried again at the next tick. */
export function prunePeriodically(ctx: DeskContext, everyMs: number): () => void {
  const timer = setInterval(() => {
    prune(ctx).catch((error) => ctx.logger.warn({ err: error }, "store pruning failed"));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
