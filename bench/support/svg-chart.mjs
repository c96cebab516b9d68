// A Vega-Lite spec rendered to an SVG string, headless (no browser, no canvas): the charts in results/.
import { parse, View } from 'vega';
import { compile } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Renders `spec` (Vega-Lite, without $schema) to SVG text. */
export async function renderSvg(spec) {
  const view = new View(parse(compile({ $schema: SCHEMA, ...spec }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
