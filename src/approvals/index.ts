export type { AnalysisPolicy, AutoRollbackPolicy } from "./analysis-policy.ts";
export {
  ACTIONS,
  type Action,
  type Actor,
  type Authorization,
  Authorizer,
  GRAYDESK_ACTOR,
  type HomeTeam,
  NotAuthorized,
  type Right,
} from "./authorize.ts";
export {
  ApprovalGate,
  type ApprovalRequest,
  type ApprovalState,
  type Decision,
  decideIn,
  type NewRequest,
} from "./gate.ts";
export {
  cachedGroups,
  describePeople,
  type GroupMembers,
  type Permission,
  Permissions,
} from "./permissions.ts";
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
export { type CheckedReason, checkReason, REASON_MAX } from "./reject-reason.ts";
export { requesterText } from "./requester.ts";
export { decideAhead, decisionNotTaken, OneAtATime, VOIDED, voidRecord, writeAhead } from "./write-ahead.ts";
