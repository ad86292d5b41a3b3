import type { IncomingMessage } from "node:http";
import type { Json } from "./block-kit-elements.ts";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Form-encoded callers (WebClient among them) send objects as JSON strings; Slack parses these fields.
const JSON_FIELDS = ["blocks", "attachments", "view", "files", "metadata"];

export interface ParsedCall {
  args: Json;
  token?: string;
  /** Files in a multipart body, by field name. */
  files: Record<string, Buffer>;
  /** The body claimed to be JSON and was not; Slack answers `invalid_json`. */
  invalidJson?: boolean;
}

/** Web API arguments from a form-encoded, JSON or multipart body, plus the bearer or `token` field. */
export async function parseCall(req: IncomingMessage, raw: Buffer): Promise<ParsedCall> {
  const type = String(req.headers["content-type"] ?? "");
  const args: Json = {};
  const files: Record<string, Buffer> = {};
  if (type.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : {};
    } catch {
      return { args: {}, files, invalidJson: true };
    }
    if (typeof parsed === "object" && parsed !== null) Object.assign(args, parsed);
  } else if (type.includes("multipart/form-data")) {
    const form = await new Request("http://local/", {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(raw),
    }).formData();
    for (const [key, value] of form) {
      if (typeof value === "string") args[key] = value;
      else files[key] = Buffer.from(await value.arrayBuffer());
    }
  } else {
    for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) args[key] = value;
  }
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== "string") continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // left as the string it was; the method will answer invalid_arguments
    }
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
  const fromBody = typeof args.token === "string" ? args.token : undefined;
  delete args.token;
  const token = bearer ?? fromBody;
  return { args, files, ...(token ? { token } : {}) };
}
