// Tiny HTML helpers for the example's server-rendered pages: one layout, escaping, a key/value table.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** A key/value table; values are escaped (objects shown as JSON). */
export function table(rows: Record<string, unknown>): string {
  const cells = Object.entries(rows)
    .map(([key, value]) => {
      const shown =
        typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '—');
      return `<tr><th>${escapeHtml(key)}</th><td><code>${escapeHtml(shown)}</code></td></tr>`;
    })
    .join('\n');
  return `<table>\n${cells}\n</table>`;
}

/** The page layout shared by every rendered route. `body` must already be safe HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · scgi-node Express example</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
<p class="back"><a href="/">← back to the index</a></p>
</main>
</body>
</html>
`;
}
