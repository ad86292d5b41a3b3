// The order the unit suite's files start in. Vitest starts the files that took longest in its last run first (its
// cache), so both workers finish at about the same time; a fresh clone has no cache and vitest then starts the
// largest files first, which can leave a small file that runs long (one that starts and kills processes, or
// waits out a lease) to start last and run alone at the end. The files below start first, in this order
// (slowest first in unloaded and loaded runs); the rest follow in vitest's own order.
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const SLOW_FIRST = [
  "test/deploy/rbac.test.ts",
  "test/safety/sigkill-promise.test.ts",
  "test/replicas/two-processes.test.ts",
  "test/harness/slack/socket-mode-server.test.ts",
  "test/safety/sigkill.test.ts",
  "test/schedule/lease.test.ts",
  "test/safety/rejected-token.test.ts",
  "test/safety/bad-requests.test.ts",
  "test/safety/authorization.test.ts",
  "test/telemetry/chart-renderer.test.ts",
  "test/harness/mesh/cluster.test.ts",
  "test/desk/failures.test.ts",
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the files not named keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
