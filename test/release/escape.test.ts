import { describe, expect, it } from "vitest";
import {
  escapeText,
  plainText,
  UserFacingError,
  userMessageOf,
  userTextOf,
} from "../../src/release/index.ts";
import { escapeText as viewsEscapeText } from "../../views/escape.ts";

describe("plain text back from escaped mrkdwn", () => {
  it.each([
    ["<!channel>"],
    ["<@U1> <https://x|y>"],
    ["fish & chips"],
    ["&lt; typed as is"],
    ["&amp;amp;"],
    ["```</code>```"],
    ["````"],
    ["`` ` ``"],
    ["plain v2"],
  ])("%j comes back as it was", (text) => {
    expect(plainText(escapeText(text))).toBe(text);
  });

  it("leaves a mention Graydesk wrote as it is", () => {
    expect(plainText(`<@U0BOB> may approve: ${escapeText("<!here>")}`)).toBe("<@U0BOB> may approve: <!here>");
  });

  it("gives a UserFacingError's message as mrkdwn or as plain text, and nothing for other errors", () => {
    const error = new UserFacingError("forbidden", `refused: ${escapeText("<!channel> & co")}`);
    expect(userMessageOf(error)).toBe("refused: &lt;!channel&gt; &amp; co");
    expect(userTextOf(error)).toBe("refused: <!channel> & co");
    expect(userTextOf(new Error("<!channel>"))).toBeUndefined();
  });

  it("is the same escape views use", () => {
    expect(viewsEscapeText).toBe(escapeText);
  });
});
