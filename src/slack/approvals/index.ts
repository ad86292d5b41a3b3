// Asking for, deciding and applying approvals of job changes, and keeping their Slack messages current.

export {
  ApprovalDesk,
  type ApprovalDeskOptions,
  type ChangeRequest,
  type DecideResult,
} from "./approvals.ts";
export { Promises } from "./promises.ts";
export { reconcileAudit } from "./reconcile-audit.ts";
export { recoveryCheck } from "./recovery-check.ts";
