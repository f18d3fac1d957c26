// AMQP topic matching for the in-process transport: words split on '.', `*` matches exactly
// one word, `#` matches zero or more words.

export function topicMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split('.'), 0, routingKey.split('.'), 0);
}

function matchWords(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length;
  if (pattern[p] === '#') {
    // Collapse runs of '#': they match the same as one, and it keeps the search linear.
    if (p + 1 < pattern.length && pattern[p + 1] === '#') return matchWords(pattern, p + 1, words, w);
    for (let skip = w; skip <= words.length; skip++) {
      if (matchWords(pattern, p + 1, words, skip)) return true;
    }
    return false;
  }
  if (w === words.length) return false;
  return (pattern[p] === '*' || pattern[p] === words[w]) && matchWords(pattern, p + 1, words, w + 1);
}
