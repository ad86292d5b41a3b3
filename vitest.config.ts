import { defineConfig } from "vitest/config";
import { SlowFirstSequencer } from "./test/harness/slow-first.ts";

// Four suites: `unit` (everything that runs on a bare machine, integration tests included),
// `e2e` (starts real servers such as Prometheus), `conformance` (the Kubernetes API cases, against
// KUBECONFIG, a real control plane from KUBEBUILDER_ASSETS, or the test server), and `real` (the stories
// that matter most, run against a real control plane from KUBEBUILDER_ASSETS; see test/harness/envtest).
// Workers are set, not derived from the core count: on a shared 2-core machine more workers only queue.
const REAL = [
  "test/real/**/*.test.ts",
  "test/desk/seed-002-canary.test.ts",
  "test/desk/seed-003-replicas.test.ts",
  "test/desk/seed-004-take-over.test.ts",
  "test/desk/kubesphere.test.ts",
  "test/deploy/rbac.test.ts",
  "test/slack/desk/story.test.ts",
  "test/slack/wizard/wizard-flow.test.ts",
];

export default defineConfig({
  test: {
    maxWorkers: 2,
    // Files known to run long start first, also without vitest's cache of the last run (test/harness/slow-first.ts).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          // Test files share each worker's modules instead of loading them again per file: that load was half the
          // suite's CPU (client-node, Bolt and a few hundred of Graydesk's own modules, per file). Nothing in the
          // suite relies on a fresh module: no module mocks, dependencies are passed in, and a test that fakes
          // timers, spies or listens on the process undoes it in its own hooks.
          isolate: false,
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/conformance/**", "test/real/**"],
          // A temporary directory per run (removed, and the run fails if the system temp dir gained entries),
          // and each file's temporary directories removed when it ends (test/harness/temp-dir.ts).
          globalSetup: ["test/harness/temp-run.ts"],
          setupFiles: ["test/harness/temp-cleanup.ts"],
          // Only a hung test takes this long: on a loaded 2-core machine a test that starts a Graydesk process
          // (Node strips the types of a few hundred modules first) or runs a whole story took over 30 s.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          setupFiles: ["test/harness/temp-cleanup.ts"],
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "conformance",
          setupFiles: ["test/harness/temp-cleanup.ts"],
          include: ["test/conformance/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "real",
          setupFiles: ["test/harness/temp-cleanup.ts"],
          include: REAL,
          env: { GRAYDESK_TEST_CLUSTER: "real" },
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Each file starts its own control plane (etcd, kube-apiserver, kube-controller-manager).
          fileParallelism: false,
        },
      },
    ],
  },
});
