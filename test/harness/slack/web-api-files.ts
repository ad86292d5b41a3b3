import type { Json } from "./block-kit-elements.ts";
import { fail, type MethodAnswer, ok, str, type Workspace } from "./workspace.ts";

export function getUploadUrl(args: Json, ws: Workspace): MethodAnswer {
  const filename = str(args, "filename");
  const length = Number(args.length);
  if (!filename || !Number.isInteger(length) || length <= 0) return fail("missing_argument");
  const altText = str(args, "alt_text") ?? str(args, "alt_txt");
  if (altText && altText.length > 1000) return fail("alt_txt_too_large");
  const id = ws.nextId("F");
  ws.files.set(id, { id, filename, length, completed: false, ...(altText ? { altText } : {}) });
  return ok({ upload_url: `${ws.baseUrl}upload/${id}`, file_id: id });
}

/** The bytes POSTed to an upload URL; false when the URL names no pending upload. */
export function receiveUpload(ws: Workspace, id: string, bytes: Buffer): boolean {
  const file = ws.files.get(id);
  if (!file || file.completed) return false;
  file.bytes = bytes;
  return true;
}

export function completeUpload(args: Json, ws: Workspace): MethodAnswer {
  const list = args.files;
  if (!Array.isArray(list) || list.length === 0) return fail("invalid_arguments");
  const pending = [];
  for (const entry of list) {
    const id = typeof entry === "object" && entry !== null ? (entry as Json).id : undefined;
    const file = typeof id === "string" ? ws.files.get(id) : undefined;
    if (!file?.bytes || file.completed) return fail("file_not_found");
    pending.push({ file, title: (entry as Json).title });
  }
  const channelId = str(args, "channel_id") ?? str(args, "channels")?.split(",")[0];
  const comment = str(args, "initial_comment");
  const threadTs = str(args, "thread_ts");
  const files = pending.map(({ file, title }) => {
    file.completed = true;
    file.title = typeof title === "string" ? title : file.filename;
    if (channelId) file.channelId = channelId;
    if (comment) file.initialComment = comment;
    if (threadTs) file.threadTs = threadTs;
    return { id: file.id, title: file.title, name: file.filename, size: file.bytes?.length ?? 0 };
  });
  return ok({ files });
}
