// Faults injected on demand: latency, an error status, a dropped connection, or a request that never answers.

export interface Fault {
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** How many matching requests it affects; default 1, Infinity allowed. */
  times?: number;
  kind: "latency" | "status" | "reset" | "hang";
  latencyMs?: number;
  status?: 500 | 503 | 429 | 409 | 403;
  /** The Status body's `message` (an admission webhook or aggregated API may say anything there). */
  message?: string;
  retryAfterSeconds?: number;
}

export interface FaultTarget {
  verb: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export class Faults {
  private readonly active: Array<{ fault: Fault; left: number }> = [];

  add(fault: Fault): void {
    this.active.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The first fault matching the request, consuming one of its uses. */
  take(t: FaultTarget): Fault | undefined {
    const i = this.active.findIndex(
      ({ fault: f }) =>
        (f.verb === undefined || f.verb === t.verb) &&
        (f.resource === undefined || f.resource === t.resource) &&
        (f.namespace === undefined || f.namespace === t.namespace) &&
        (f.name === undefined || f.name === t.name),
    );
    const hit = this.active[i];
    if (!hit) return undefined;
    hit.left -= 1;
    if (hit.left <= 0) this.active.splice(i, 1);
    return hit.fault;
  }
}
