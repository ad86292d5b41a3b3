// The API server's words (and an admission webhook's or aggregated API's, which can say anything) reach people
// inside a ClusterError's message, which is shown as Slack mrkdwn: they arrive escaped, once.
import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ClusterError } from "../../src/cluster/index.ts";
import { plainText } from "../../src/release/index.ts";

const REF = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  namespace: "bookinfo",
  name: "reviews",
};
const HOSTILE = "denied by policy <!channel> ask <@U1> at <https://x|y> & co";
const ESCAPED = "denied by policy &lt;!channel&gt; ask &lt;@U1&gt; at &lt;https://x|y&gt; &amp; co";

function refusal(code: number, body: unknown): ApiException<unknown> {
  return new ApiException(code, `HTTP-Code: ${code}`, body, {});
}

function expectEscapedOnce(message: string): void {
  expect(message).toContain(ESCAPED);
  expect(message).not.toContain("<!channel>");
  expect(message).not.toContain("<@U1>");
  expect(message).not.toContain("<https://x");
  // Escaped once: no entity escaped a second time, no bare `&`.
  expect(message).not.toContain("&amp;lt;");
  expect(message).not.toMatch(/&(?!amp;|lt;|gt;)/);
  expect(plainText(message)).toContain(HOSTILE);
}

describe("ClusterError.from with hostile text from the cluster", () => {
  it.each([401, 403, 404, 409, 415, 429, 500, 503, 418])(
    "a %i Status message arrives escaped once",
    (code) => {
      const status = { kind: "Status", status: "Failure", code, reason: "Forbidden", message: HOSTILE };
      const error = ClusterError.from(refusal(code, JSON.stringify(status)), "patch", REF);
      expect(error.message).toMatch(/^VirtualService bookinfo\/reviews update failed: /);
      expectEscapedOnce(error.message);
    },
  );

  it("a Status already parsed (an object body) is escaped the same way", () => {
    const error = ClusterError.from(refusal(403, { code: 403, message: HOSTILE }), "create", REF);
    expect(error.message).toContain("forbidden: create virtualservices.networking.istio.io — ");
    expectEscapedOnce(error.message);
  });

  it("a 422's causes arrive escaped once", () => {
    const status = {
      code: 422,
      message: "plain",
      details: { causes: [{ field: "spec.<!channel>", message: HOSTILE }] },
    };
    const error = ClusterError.from(refusal(422, JSON.stringify(status)), "apply", REF);
    expect(error.message).toContain("the API server rejected the object: spec.&lt;!channel&gt;: ");
    expectEscapedOnce(error.message);
  });

  it("a body that is not JSON (a proxy's page) arrives escaped once", () => {
    const error = ClusterError.from(refusal(502, HOSTILE), "get", REF);
    expect(error.message).toContain("the API server answered 502: ");
    expectEscapedOnce(error.message);
  });

  it("a failure that is not an API answer (its error's own message) arrives escaped once", () => {
    const error = ClusterError.from(new Error(HOSTILE), "delete", REF);
    expect(error).toMatchObject({ code: "cluster-unavailable", retryable: true });
    expectEscapedOnce(error.message);
  });

  it("a Status without a message says the HTTP code", () => {
    const error = ClusterError.from(refusal(500, "{}"), "patch", REF);
    expect(error.message).toBe(
      "VirtualService bookinfo/reviews update failed: the API server answered 500: HTTP 500",
    );
  });
});
