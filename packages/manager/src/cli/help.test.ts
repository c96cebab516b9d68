// --help and the README come from the option table: every option with its default, and no drift between them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTION_GROUPS, OPTION_KEYS, OPTIONS } from '../options.js';
import { defaultOf, renderHelp, renderOptionsMarkdown } from './help.js';

const README = join(import.meta.dirname, '..', '..', 'README.md');
const START = '<!-- options:start (generated from src/option-table.ts; a test checks it) -->';
const END = '<!-- options:end -->';

describe('--help', () => {
  const help = renderHelp();

  it('lists every option once, with its value syntax and its default', () => {
    const flat = help.replace(/\n {32}/g, ' ');
    for (const key of OPTION_KEYS) {
      const { flag, value } = OPTIONS[key];
      const head = value === '' ? `--${flag}` : `--${flag} ${value}`;
      expect(
        flat.match(new RegExp(`^  ${head.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?= |$)`, 'gm')),
      ).toHaveLength(1);
      expect(flat).toContain(`Default: ${defaultOf(key)}.`);
    }
    for (const group of OPTION_GROUPS) expect(help).toContain(`\n${group}:\n`);
  });

  it('shows the commands, --config, the value syntax and the exit codes; no line is wider than 100 columns but a usage line', () => {
    expect(help).toContain('scgi-node serve <app-module> [options]');
    expect(help).toContain('scgi-node status --status-socket <path> [--json]');
    expect(help).toContain('--config <file>');
    expect(help).toContain('Values: durations 500ms, 30s, 5m, 1h (0 = off)');
    expect(help).toContain('Exit codes: 0 stopped cleanly; 1 failed');
    const wide = help
      .split('\n')
      .filter(
        (line) => line.length > 100 && !line.startsWith('  scgi-node') && !line.startsWith('Exit codes'),
      );
    expect(wide).toEqual([]);
  });

  it('names the derived and special defaults in words', () => {
    expect(help.replace(/\n {32}/g, ' ')).toMatch(/^ {2}--spare <n> .* Default: 1 if max > min, else 0\.$/m);
    expect(defaultOf('listen')).toBe(
      'auto: the systemd socket if LISTEN_FDS is set for this process, else 127.0.0.1:4000',
    );
    expect(defaultOf('socketMode')).toBe('660');
    expect(defaultOf('maxHeaderBytes')).toBe('64K');
    expect(defaultOf('timeoutMs')).toBe('1m');
    expect(defaultOf('workers')).toBe('1..4');
  });
});

/** A Markdown table's content without its alignment padding (the README's tables are formatted). */
const tableText = (markdown: string): string =>
  markdown
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').replace(/-{3,}/g, '---').trim())
    .filter((line) => line !== '')
    .join('\n');

describe('README', () => {
  it("holds exactly the option tables rendered from the table (regenerate: paste renderOptionsMarkdown()'s output)", () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(tableText(readme.slice(start + START.length, end))).toBe(tableText(renderOptionsMarkdown()));
  });

  it('the rendered tables have a row per option, with pipes escaped', () => {
    const markdown = renderOptionsMarkdown();
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `--'));
    expect(rows).toHaveLength(OPTION_KEYS.length);
    expect(markdown).toContain('| `--workers <min..max\\|N>` | `workers` | 1..4 |');
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });
});
