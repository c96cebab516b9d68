// What every framework's routes answer, built the same way for each: the scenarios' work and bytes.
export const HELLO = 'Hello, world!\n';
/** The download's body: 1 MiB, made once, the same in every process (the check compares bytes). */
export const DOWNLOAD = Buffer.alloc(1024 * 1024, 'scgi-node 0123456789 ');

const PRODUCTS = Array.from({ length: 140 }, (_, i) => ({
  id: i + 1,
  name: `Product <${i + 1}> & "friends"`,
  price: (i * 7.31) % 100,
  tags: ['new', 'sale', 'eco'].slice(0, (i % 3) + 1),
  note: `Ships in ${(i % 5) + 1} days; 'size' ${i % 9}`,
}));

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]);

/**
 * A ~20 KB HTML page built per request from data (escaping, number formatting, joins): a few hundred
 * µs of a template engine's kind of work.
 */
export function renderPage(query) {
  const rows = PRODUCTS.map(
    (product) =>
      `<tr><td>${product.id}</td><td>${escapeHtml(product.name)}</td>` +
      `<td>${product.price.toFixed(2)}</td><td>${product.tags.map(escapeHtml).join(', ')}</td>` +
      `<td>${escapeHtml(product.note)}</td></tr>`,
  );
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>Catalogue</title></head><body>' +
    `<h1>Catalogue${query ? ` for ${escapeHtml(query)}` : ''}</h1>` +
    `<table><thead><tr><th>#</th><th>Name</th><th>Price</th><th>Tags</th></tr></thead><tbody>${rows.join('\n')}` +
    '</tbody></table></body></html>\n'
  );
}
