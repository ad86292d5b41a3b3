// How each version of a service behaves under test: how often it fails and how long it takes.
import { normal, type Random } from "./random.ts";

export type LatencyModel =
  /** Median and spread of a log-normal distribution: the long right tail real services show. */
  | { kind: "lognormal"; medianMs: number; sigma: number }
  /** A floor plus uniform jitter. */
  | { kind: "jitter"; baseMs: number; jitterMs: number };

export interface BehaviourProfile {
  /** Share of requests answered with `errorStatus`, 0..1. */
  errorRate: number;
  errorStatus: number;
  latency: LatencyModel;
}

export const DEFAULT_PROFILE: BehaviourProfile = {
  errorRate: 0,
  errorStatus: 500,
  latency: { kind: "lognormal", medianMs: 20, sigma: 0.4 },
};

export function sampleLatencyMs(model: LatencyModel, random: Random): number {
  if (model.kind === "jitter") return model.baseMs + random() * model.jitterMs;
  return model.medianMs * Math.exp(model.sigma * normal(random));
}

/** Profiles keyed `service/version` (`reviews/v2`), with `service/*` and a global default behind them. */
export class BehaviourProfiles {
  #profiles = new Map<string, BehaviourProfile>();
  #fallback: BehaviourProfile;

  constructor(fallback: BehaviourProfile = DEFAULT_PROFILE) {
    this.#fallback = fallback;
  }

  set(service: string, version: string, profile: Partial<BehaviourProfile>): void {
    const key = `${service}/${version}`;
    this.#profiles.set(key, { ...this.get(service, version), ...profile });
  }

  clear(service: string, version: string): void {
    this.#profiles.delete(`${service}/${version}`);
  }

  get(service: string, version: string): BehaviourProfile {
    return (
      this.#profiles.get(`${service}/${version}`) ?? this.#profiles.get(`${service}/*`) ?? this.#fallback
    );
  }
}

export interface Behaviour {
  status: number;
  durationMs: number;
}

export function behave(profile: BehaviourProfile, random: Random): Behaviour {
  const failed = random() < profile.errorRate;
  const durationMs = Math.max(0.1, sampleLatencyMs(profile.latency, random));
  return { status: failed ? profile.errorStatus : 200, durationMs };
}
