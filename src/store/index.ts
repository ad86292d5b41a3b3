export { describeBreak, firstBreak } from "./audit-chain.ts";
export { AUDIT_FILE, type AuditEvent, type AuditLog, type AuditRecord, openAuditLog } from "./audit-log.ts";
export { COMMIT_LOG } from "./commit-log.ts";
export { type FileStoreOptions, LEGACY_BACKUP, openFileStore, STATE_FILE } from "./file-store.ts";
export { AUDIT_LABEL, openKubeAuditLog, readKubeAuditLines } from "./kube-audit-log.ts";
export {
  COLLECTION_LABEL,
  type KubeStoreOptions,
  MAX_RECORD_BYTES,
  openKubeStore,
  recordName,
  STATE_LABEL,
} from "./kube-store.ts";
export { openStore, stateNamespace } from "./open-store.ts";
export { ARCHIVE_SUFFIX, archivePath, isUnread, unreadChangedAt } from "./record-archive.ts";
export { COMMIT_FILE, META_FILE, recordPath, STATE_DIR } from "./record-files.ts";
export { packPath, readStateDir } from "./record-packs.ts";
export {
  COLLECTIONS,
  type Collection,
  emptyData,
  migrate,
  SCHEMA_VERSION,
  SchemaError,
  type StoreData,
  type StoredRecord,
} from "./schema.ts";
export { AuditWriteError, type Store, StoreError, StoreForbiddenError, StoreWriteError } from "./store.ts";
