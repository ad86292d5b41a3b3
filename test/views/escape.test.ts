import { describe, expect, it } from "vitest";
import { codeBlock, escapeText } from "../../views/escape.ts";

describe("the one escape for user and cluster text in mrkdwn", () => {
  it.each([
    ["<!channel>", "&lt;!channel&gt;"],
    ["<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"],
    ["<@U0BOB>", "&lt;@U0BOB&gt;"],
    ["<#C0SECRET>", "&lt;#C0SECRET&gt;"],
    ["<!subteam^S0SRE>", "&lt;!subteam^S0SRE&gt;"],
    ["<http://evil.example.com|text>", "&lt;http://evil.example.com|text&gt;"],
    ["fish & chips", "fish &amp; chips"],
    ["&lt;", "&amp;lt;"],
    ["```", "`\u200b`\u200b`"],
    ["a`b", "a`b"],
    ["plain v2", "plain v2"],
  ])("%s is shown as typed", (typed, escaped) => {
    expect(escapeText(typed)).toBe(escaped);
  });

  it.each([["```</code>```"], ["````"], ["x```\n<!channel>\n```y"], ["`` ` ``"]])(
    "a code block around %j opens and closes only where Graydesk put it",
    (typed) => {
      const block = codeBlock(typed);
      expect(block.startsWith("```")).toBe(true);
      expect(block.endsWith("```")).toBe(true);
      expect(block.split("```")).toHaveLength(3);
      expect(block).not.toContain("<!channel>");
    },
  );
});
