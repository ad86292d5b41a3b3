export type { AnalysisPolicy, AutoRollbackPolicy } from "./analysis-policy.ts";
export {
  ApprovalGate,
  type ApprovalRequest,
  type ApprovalState,
  type Decision,
  type NewRequest,
} from "./gate.ts";
export { cachedGroups, type GroupMembers, type Permission, Permissions } from "./permissions.ts";
export {
  type NamespacePolicy,
  OPEN_DEFAULTS,
  openPolicy,
  type People,
  type Policy,
  type PolicyResult,
  parsePolicy,
  policyFor,
} from "./policy.ts";
