/** How long each step of start-up took, in milliseconds, in the order they ran. */
export type StartupPhases = Record<string, number>;

/**
 * Times start-up step by step: `done(name)` records the time since the previous step ended. Logged once Graydesk
 * runs (where start-up time goes, on the operator's own machine) and read by bench/startup.ts.
 */
export function startupPhases(now: () => number = () => performance.now()) {
  const phases: StartupPhases = {};
  let last = now();
  return {
    phases,
    done(name: string): void {
      const at = now();
      phases[name] = Math.round(at - last);
      last = at;
    },
  };
}
