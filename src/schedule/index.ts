export {
  CRON_EXAMPLE,
  latestSlot,
  nextSlots,
  ScheduleError,
  toMinute,
  validateCron,
  validateTimezone,
} from "./cron.ts";
export { type DigestSources, gatherDigest, type ListObjects } from "./digest-builder.ts";
export {
  age,
  buildDigest,
  type DigestInput,
  type DigestJob,
  lastChange,
  zonedMinute,
} from "./digest-content.ts";
export { type DigestMessage, MAX_BLOCKS, MAX_SECTION_TEXT } from "./digest-messages.ts";
export {
  DEFAULT_GRACE_MS,
  type DigestSchedule,
  DigestSchedules,
  type DigestSchedulesDeps,
} from "./digests.ts";
export {
  LEADER_LEASE,
  type Leadership,
  type LeadershipCallbacks,
  type LeaseOptions,
  leaseLeadership,
  replicaIdentity,
  soleLeadership,
} from "./lease.ts";
export {
  createScheduler,
  type LeadershipFactory,
  type LeaderTask,
  leadershipFor,
  type Scheduler,
} from "./scheduler.ts";
export {
  approveSchedule,
  type ScheduleApproval,
  scheduleHash,
  scheduleRequested,
} from "./step-approval.ts";
export { StepRunner, type StepRunnerDeps } from "./step-runner.ts";
export {
  afterAction,
  currentPercent,
  nextAction,
  type ParsedSteps,
  parseSteps,
  STEPS_EXAMPLE,
  type StepAction,
  type StepHealth,
  type StepSchedule,
} from "./steps.ts";
