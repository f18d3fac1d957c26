// Just enough XML for the order feeds the sandbox reads (flat elements, no attributes needed) and
// the processing reports it writes. Not a general parser: the feeds are machine-written.

/** The inner texts of every `<tag>…</tag>` (first level of that tag name). */
export function xmlElements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1]);
}

/** The unescaped, trimmed text of the first `<tag>`, undefined when absent. */
export function xmlText(xml: string, tag: string): string | undefined {
  const [inner] = xmlElements(xml, tag);
  return inner === undefined ? undefined : unescapeXml(inner.trim());
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
