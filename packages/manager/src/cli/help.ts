// --help and the README's option tables, both rendered from the one option table.
import { OPTION_GROUPS, OPTION_KEYS, OPTIONS, type OptionKey, type OptionSpec } from '../options.js';

const WIDTH = 100;
const FLAG_COLUMN = 32;

/** The default of an option in words: its defaultText, else its default shown in the flag's syntax. */
export function defaultOf(key: OptionKey): string {
  const spec = OPTIONS[key] as OptionSpec<unknown>;
  return spec.defaultText ?? spec.show(spec.default);
}

function flagOf(key: OptionKey): string {
  const { flag, value } = OPTIONS[key];
  return value === '' ? `--${flag}` : `--${flag} ${value}`;
}

/** Flags of the CLI itself, after the options. */
const CLI_FLAGS: Array<[string, string]> = [
  [
    '--config <file>',
    'A JSON object of options, each by its flag name ("max-memory": "512M"), camelCase ("maxMemory") or ' +
      'field name ("maxMemoryBytes": 536870912), and "app". Flags win over it; it wins over the defaults.',
  ],
  ['--json', 'status: print the snapshot as JSON.'],
  ['-h, --help', 'Show this text.'],
  ['-V, --version', 'Print the version.'],
];

/** The whole --help text. */
export function renderHelp(): string {
  const lines = [
    'scgi-node: run an Express, Koa, Hono, fetch or (req, res) app module as a pool of SCGI workers.',
    '',
    'Usage:',
    '  scgi-node serve <app-module> [options]   run the app (SIGTERM/SIGINT: drain and exit 0; SIGHUP: reload)',
    '  scgi-node status --status-socket <path> [--json]   show the workers of a running manager',
    '  scgi-node check <app-module> [--export <name>]     load the module and say what kind of app it is',
    '  scgi-node cgi [info-file]   the CGI bridge (as scgi-cgi): relay one CGI request to the worker, start it if need be',
    '  scgi-node --help | --version',
  ];
  for (const group of OPTION_GROUPS) {
    lines.push('', `${group}:`);
    for (const key of OPTION_KEYS.filter((k) => OPTIONS[k].group === group)) {
      lines.push(...entry(flagOf(key), `${OPTIONS[key].doc} Default: ${defaultOf(key)}.`));
    }
  }
  lines.push('', 'Other:');
  for (const [flag, doc] of CLI_FLAGS) lines.push(...entry(flag, doc));
  lines.push(
    '',
    'Values: durations 500ms, 30s, 5m, 1h (0 = off); sizes 65536, 64K, 512M, 1G; file modes 660.',
    'Exit codes: 0 stopped cleanly; 1 failed (cannot listen, the app cannot load, crash loop); 2 bad command line or config.',
  );
  return `${lines.join('\n')}\n`;
}

/** `  --flag <value>   doc…` with the doc wrapped under its column. */
function entry(flag: string, doc: string): string[] {
  const words = doc.split(' ');
  const out: string[] = [];
  let line = `  ${flag}`;
  if (line.length >= FLAG_COLUMN - 1) {
    out.push(line);
    line = '';
  }
  line = line.padEnd(FLAG_COLUMN);
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = ' '.repeat(FLAG_COLUMN);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  out.push(line);
  return out;
}

/** The README's option reference: one Markdown table per group (checked against the README by a test). */
export function renderOptionsMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const parts: string[] = [];
  for (const group of OPTION_GROUPS) {
    parts.push(
      `#### ${group}`,
      '',
      '| Flag | Config / API key | Default | Description |',
      '| --- | --- | --- | --- |',
    );
    for (const key of OPTION_KEYS.filter((k) => OPTIONS[k].group === group)) {
      parts.push(
        `| \`${cell(flagOf(key))}\` | \`${key}\` | ${cell(defaultOf(key))} | ${cell(OPTIONS[key].doc)} |`,
      );
    }
    parts.push('');
  }
  return parts.join('\n');
}
