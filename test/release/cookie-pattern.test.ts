// A cookie regex is matched inside the whole Cookie header: one that can match `;` could run into the next cookie.
import { describe, expect, it } from "vitest";
import { mayMatchSemicolon } from "../../src/release/validate/cookie-pattern.ts";

describe("cookie patterns that could run into the next cookie", () => {
  it.each([
    ["a.*c", true],
    [".+", true],
    ["a;b", true],
    ["a\\;b", true],
    ["\\S+", true],
    ["\\W", true],
    ["\\D+", true],
    ["\\x3b", true],
    ["[^a-z]+", true],
    ["[!-~]+", true],
    ["[;]", true],
    ["[[:punct:]]", true],
    ["[a-z0-9]+", false],
    ["[^;]*", false],
    ["[^; ]+", false],
    ["(beta|gamma)[0-9]?", false],
    ["a\\.b", false],
    ["[[:alpha:]]+", false],
    ["v[0-9]+-[a-f]{4}", false],
  ])("%s → %s", (pattern, wide) => {
    expect(mayMatchSemicolon(pattern)).toBe(wide);
    // Cross-check against JavaScript's regex engine where the answer is certain to show: `;` alone or inside text.
    const re = new RegExp(`^(?:${pattern.replace("\\x3b", ";")})$`);
    if (!wide) expect([";", "a;b", "beta;", "x;y;z"].some((text) => re.test(text))).toBe(false);
  });
});
