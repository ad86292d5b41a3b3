/**
 * Splits `/release` text into words, keeping "quoted phrases" together (a cron expression has spaces) and
 * accepting the curly quotes Slack clients substitute for straight ones.
 */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const m of text.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3] ?? "");
  return words;
}

/** The known name closest to `word` by edit distance, if it is close enough to be a plausible typo. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const prefixed = names.filter((n) => lower.length >= 2 && n.startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    // The distance is at least the difference in length, so a name that far off cannot be within tolerance:
    // skipping it bounds the work to names of about the word's length, whatever length a user types.
    if (Math.abs(lower.length - name.length) > tolerance(name)) continue;
    const distance = editDistance(lower, name);
    if (distance <= tolerance(name) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** How many edits still read as a typo of `name`. */
function tolerance(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
