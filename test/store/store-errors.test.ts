import { describe, expect, it } from "vitest";
import { StoreForbiddenError } from "../../src/store/index.ts";

describe("a refused write to the state ConfigMaps", () => {
  it("names the verb and resource, with the API server's words escaped once for mrkdwn", () => {
    const body = JSON.stringify({ code: 403, message: 'webhook "x" says <!channel> & <@U1>' });
    const error = new StoreForbiddenError("update", "graydesk", { body });
    expect(error.message).toBe(
      'Graydesk could not save this change in namespace graydesk: forbidden: update configmaps — webhook "x" says &lt;!channel&gt; &amp; &lt;@U1&gt;',
    );
  });

  it("says the code when the refusal carries no words", () => {
    const error = new StoreForbiddenError("create", "graydesk", { body: "" });
    expect(error.message).toContain("forbidden: create configmaps — the API server answered 403");
  });
});
