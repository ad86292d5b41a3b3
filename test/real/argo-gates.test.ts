// The Argo Rollouts gates' cases on a real kube-apiserver with the Rollout CRD, RBAC enforced with exactly
// deploy/'s rules: the same test body as `npm test` runs on the project's test server.
import "../controllers/argo-gates.test.ts";
