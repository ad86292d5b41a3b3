import type { SignedRequest } from "./signed-requests.ts";

/**
 * A load generator in its own process: the app under test gets the event loop to itself, so an ack is timed
 * when it leaves the app rather than when a shared loop gets round to reading it.
 * Parent ▶ { url, requests } ▶ child fires them all at once ▶ { results: [{ kind, ms, status, at }] }, `at`
 * when the request was sent (performance.timeOrigin + now: comparable across processes on this machine).
 */
process.on("message", async (message: { url: string; requests: SignedRequest[] } | "exit") => {
  if (message === "exit") {
    process.disconnect?.();
    return;
  }
  const results = await Promise.all(
    message.requests.map(async (r) => {
      const started = performance.now();
      const at = performance.timeOrigin + started;
      try {
        const res = await fetch(message.url, { method: "POST", headers: r.headers, body: r.body });
        const ms = performance.now() - started;
        await res.arrayBuffer();
        return { kind: r.kind, ms, status: res.status, at };
      } catch {
        return { kind: r.kind, ms: performance.now() - started, status: 0, at };
      }
    }),
  );
  process.send?.({ results });
});
