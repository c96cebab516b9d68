// Renders examples/deploy templates: every {{NAME}} replaced, an unknown or missing one is an error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEPLOY_DIR } from './paths.js';

/** Values for the placeholders of the deploy templates (`{{PREFIX}}`, `{{BACKEND}}`, ...). */
export type Placeholders = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

/** The template's text with every placeholder replaced; throws if one has no value. */
export function renderText(template: string, values: Placeholders, name = 'template'): string {
  return template.replace(PLACEHOLDER, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    return value;
  });
}

/** Read `examples/deploy/<relative>`. */
export function readTemplate(relative: string): string {
  return readFileSync(join(DEPLOY_DIR, relative), 'utf8');
}

/**
 * Render `examples/deploy/<from>` into `<dir>/<to>` (same relative path by default), with an optional
 * edit of the template first (the limit tests take a line out to show what it fixes). Returns the path.
 */
export function renderTemplate(
  from: string,
  dir: string,
  values: Placeholders,
  options: { to?: string; edit?: (text: string) => string } = {},
): string {
  const original = readTemplate(from);
  const edited = options.edit?.(original) ?? original;
  const target = join(dir, options.to ?? from);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, renderText(edited, values, from));
  return target;
}
