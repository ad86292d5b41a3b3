export {
  LEADER_LEASE,
  type Leadership,
  type LeadershipCallbacks,
  type LeaseOptions,
  leaseLeadership,
  replicaIdentity,
  soleLeadership,
} from "./lease.ts";
