// A request as any HTTP client would send it (no client-node defaults), for answers the typed clients hide:
// plain-text bodies, and requests client-node always completes (a field manager, a resourceVersion).

import { request as plainRequest } from "node:http";
import type { RequestOptions } from "node:https";
import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  json: { message?: string; reason?: string; code?: number; details?: { causes?: unknown[] } } & Record<
    string,
    unknown
  >;
}

export async function raw(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<RawAnswer> {
  const server = kc.getCurrentCluster()?.server ?? "";
  const opts: RequestOptions = {
    method,
    headers: { "content-type": contentType, accept: "application/json" },
  };
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(path, server);
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? request : plainRequest;
    const req = send(url, opts, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        data += c;
      });
      res.on("end", () => {
        let json = {};
        try {
          json = JSON.parse(data);
        } catch {
          json = {};
        }
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"]),
          text: data,
          json,
        });
      });
    });
    req.on("error", reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}
