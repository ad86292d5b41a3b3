import { ReleaseError } from "../errors.ts";

export interface ReplicaSplit {
  stable: number;
  canary: number;
  /** The share of pods, hence of connections, the canary really gets. */
  actualPercent: number;
}

/**
 * How many pods? By default the total stays the stable version's current replica count, so a canary
 * costs no extra capacity and the Service spreads connections evenly over the pods. Passing `max` lets
 * the split grow the total up to `max` when that gets closer to the asked percentage.
 */
export type ReplicaSizing = number | { stableReplicas: number; max?: number };

// Half a pod goes to the stable version: ties resolve towards less canary traffic.
const roundHalfDown = (value: number): number => Math.ceil(value - 0.5);

/**
 * Without a mesh (TCP/UDP services), weights are approximated by replica counts: the new Deployment
 * carries the Service's selector labels. Weights 1–99 keep at least one stable and one canary pod.
 */
export function replicaSplit(percentNew: number, sizing: ReplicaSizing): ReplicaSplit {
  if (!(Number.isInteger(percentNew) && percentNew >= 0 && percentNew <= 100)) {
    throw new ReleaseError("invalid-field", "Traffic shares are whole percentages from 0 to 100.", {
      fields: [{ field: "percent", message: "Traffic shares are whole percentages from 0 to 100." }],
    });
  }
  const current = typeof sizing === "number" ? sizing : sizing.stableReplicas;
  const max = typeof sizing === "number" ? current : Math.max(sizing.max ?? current, current);
  if (!(Number.isInteger(current) && current >= 1)) {
    throw new ReleaseError(
      "invalid-field",
      "The service needs at least one running replica to split by replicas.",
    );
  }
  if (percentNew === 0) return { stable: current, canary: 0, actualPercent: 0 };
  if (percentNew === 100) return { stable: 0, canary: current, actualPercent: 100 };

  let best: ReplicaSplit | undefined;
  for (let total = Math.max(current, 2); total <= Math.max(max, 2); total++) {
    const canary = Math.min(Math.max(roundHalfDown((total * percentNew) / 100), 1), total - 1);
    const candidate = {
      stable: total - canary,
      canary,
      actualPercent: Math.round((canary / total) * 10000) / 100,
    };
    const error = Math.abs(candidate.actualPercent - percentNew);
    if (!best || error < Math.abs(best.actualPercent - percentNew) - 1e-9) best = candidate;
  }
  return best as ReplicaSplit;
}
