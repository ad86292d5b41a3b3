import { benchAuditAppend } from "./audit-append.ts";
import { benchChartRender } from "./chart-render.ts";
import { benchDigest } from "./digest.ts";

/** `npm run bench`: every benchmark in turn, each printing JSON lines. */
await benchAuditAppend();
await benchChartRender();
await benchDigest();
