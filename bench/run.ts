import { benchAuditAppend } from "./audit-append.ts";

/** `npm run bench`: every benchmark in turn, each printing JSON lines. */
await benchAuditAppend();
