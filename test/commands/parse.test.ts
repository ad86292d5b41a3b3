import { describe, expect, it } from "vitest";
import { closest, editDistance, splitArgs } from "../../commands/parse.ts";

describe("splitArgs", () => {
  it.each([
    ["shift reviews-canary 20", ["shift", "reviews-canary", "20"]],
    ['digest schedule "0 9 * * 1-5" Europe/Berlin', ["digest", "schedule", "0 9 * * 1-5", "Europe/Berlin"]],
    ["digest schedule “0 9 * * *”", ["digest", "schedule", "0 9 * * *"]],
    ["  help  ", ["help"]],
    ["", []],
  ])("%s", (text, words) => {
    expect(splitArgs(text)).toEqual(words);
  });
});

describe("closest", () => {
  const names = ["new", "list", "status", "shift", "takeover", "rollback", "offline", "history", "help"];
  it.each([
    ["stauts", "status"],
    ["shfit", "shift"],
    ["rolback", "rollback"],
    ["hlep", "help"],
    ["take", "takeover"],
    ["deploy", undefined],
  ])("%s → %s", (word, guess) => {
    expect(closest(word, names)).toBe(guess);
  });

  it("measures edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("closest on long words", () => {
  it("a word far longer than any name is no typo; a word of a name's length still gets its guess", () => {
    const names = Array.from({ length: 500 }, (_, i) => `job-${i}`);
    const word = "x".repeat(100_000);
    expect(closest(word, names)).toBeUndefined();
    expect(closest("reveiws-canary", [...names, "reviews-canary"])).toBe("reviews-canary");
  });
});
