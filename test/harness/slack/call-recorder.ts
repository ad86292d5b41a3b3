import type { Json, Violation } from "./block-kit-elements.ts";

/** One request the server answered. `method` is the Web API method, `response_url` or `upload`. */
export interface RecordedCall {
  method: string;
  args: Json;
  token?: string;
  /** The response_url or upload id for those two kinds of call. */
  target?: string;
  status: number;
  response: unknown;
  violations: Violation[];
  at: number;
}

export interface CallRecorder {
  calls: RecordedCall[];
  violations: Violation[];
  record(call: Omit<RecordedCall, "at">): void;
  callsTo(method: string): RecordedCall[];
  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  expectNoViolations(): void;
  clear(): void;
}

export function createCallRecorder(): CallRecorder {
  const calls: RecordedCall[] = [];
  const violations: Violation[] = [];
  const waiters = new Set<(call: RecordedCall) => void>();
  const matches = (method: string, predicate?: (c: RecordedCall) => boolean) => (c: RecordedCall) =>
    c.method === method && (!predicate || predicate(c));

  return {
    calls,
    violations,
    record(call) {
      const full = { ...call, at: Date.now() };
      calls.push(full);
      violations.push(...call.violations);
      for (const waiter of [...waiters]) waiter(full);
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    // Resolves at once for a call already made, so a test need not start waiting before it acts. The default wait
    // is generous: only a call that never comes takes it (a loaded machine delays one by seconds).
    waitFor(method, predicate, timeoutMs = 30_000) {
      const match = matches(method, predicate);
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (call: RecordedCall) => {
          if (!match(call)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(call);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const methods = calls.map((c) => c.method).join(", ") || "none";
          reject(new Error(`no matching ${method} call within ${timeoutMs} ms (calls so far: ${methods})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    expectNoViolations() {
      if (violations.length === 0) return;
      const lines = calls.flatMap((c) =>
        c.violations.map((v) => `  ${c.method} ${v.path}: ${v.rule} - ${v.message}`),
      );
      throw new Error(`Block Kit violations:\n${lines.join("\n")}`);
    },
    clear() {
      calls.length = 0;
      violations.length = 0;
    },
  };
}
