// Finds the bridge's info file and reads its syntax (JSON, or `key = value` lines) into raw fields.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CgiBridgeError } from './errors.js';

/** Fields as written, before validation: JSON values, or strings from a `key = value` file. */
export interface RawInfo {
  /** The info file's path (or `environment` for SCGI_NODE_* variables). */
  source: string;
  /** True for `key = value` files and variables: every value is a string to be converted. */
  textual: boolean;
  fields: Record<string, unknown>;
}

/** Names tried beside the CGI script `app.cgi`: `app.scgi.json`, then `app.scgi`. */
export const INFO_FILE_SUFFIXES = ['.scgi.json', '.scgi'] as const;

/**
 * Where the info file is: `SCGI_NODE_INFO`; else the first argument (the web server ran the bridge as the
 * info file's interpreter: `cgi.assign = (".scgi" => "/usr/bin/scgi-cgi")` or a `#!` line); else beside the
 * CGI script (`SCRIPT_FILENAME` without its extension, plus `.scgi.json` or `.scgi`). Undefined when there
 * is none: the SCGI_NODE_* variables are used instead.
 */
export function findInfoFile(env: Readonly<Record<string, string | undefined>>, args: readonly string[]) {
  const explicit = env.SCGI_NODE_INFO || args[0];
  if (explicit) return explicit;
  const script = env.SCRIPT_FILENAME;
  if (!script) return undefined;
  const stem = join(dirname(script), basename(script, extname(script)));
  for (const suffix of INFO_FILE_SUFFIXES) {
    if (existsSync(stem + suffix)) return stem + suffix;
  }
  return undefined;
}

/** Read and parse an info file: JSON when it ends in `.json` or starts with `{`, else `key = value`. */
export function readInfoFile(path: string): RawInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new CgiBridgeError('ERR_CGI_INFO_UNREADABLE', `cannot read the info file (${reason})`, {
      source: path,
      cause,
    });
  }
  const json = path.endsWith('.json') || text.trimStart().startsWith('{');
  return { source: path, textual: !json, fields: json ? parseJson(path, text) : parseKeyValue(path, text) };
}

function parseJson(path: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CgiBridgeError('ERR_CGI_INFO_SYNTAX', `invalid JSON: ${(cause as Error).message}`, {
      source: path,
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CgiBridgeError('ERR_CGI_INFO_SYNTAX', 'the JSON must be an object of fields', { source: path });
  }
  return value as Record<string, unknown>;
}

const WORD_LISTS = new Set(['command', 'passEnv']);
const KEY = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * `key = value` lines; `#` or `;` starts a comment line (so a `#!/usr/bin/scgi-cgi` first line is fine).
 * A value wrapped in double quotes is read as a JSON string (`command` and `passEnv` are word lists, split
 * by {@link splitWords}). `env.NAME = value` sets one variable of the
 * worker's environment. A repeated key is an error, not a silent override.
 */
export function parseKeyValue(path: string, text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const where = `line ${index + 1}`;
    const equals = line.indexOf('=');
    const key = equals === -1 ? '' : line.slice(0, equals).trim();
    if (!KEY.test(key)) {
      throw new CgiBridgeError(
        'ERR_CGI_INFO_SYNTAX',
        `${where} is not "key = value": ${JSON.stringify(line)}`,
        {
          source: path,
        },
      );
    }
    const [name, variable] = key.split('.') as [string, string | undefined];
    const rawValue = line.slice(equals + 1).trim();
    // Word lists keep their quotes for splitWords; other values may be one quoted string.
    const value = WORD_LISTS.has(key) ? rawValue : unquote(path, where, rawValue);
    const target = variable === undefined ? fields : env;
    const slot = variable ?? name;
    if (variable !== undefined && name !== 'env') {
      throw new CgiBridgeError('ERR_CGI_INFO_UNKNOWN_FIELD', `${where}: only env.NAME keys may have a dot`, {
        source: path,
        field: key,
      });
    }
    if (Object.hasOwn(target, slot)) {
      throw new CgiBridgeError('ERR_CGI_INFO_SYNTAX', `${where}: "${key}" is set twice`, {
        source: path,
        field: key,
      });
    }
    target[slot] = value;
  }
  if (Object.keys(env).length > 0) fields.env = env;
  return fields;
}

function unquote(path: string, where: string, value: string): string {
  if (!(value.length >= 2 && value.startsWith('"') && value.endsWith('"'))) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    throw new CgiBridgeError('ERR_CGI_INFO_SYNTAX', `${where}: bad quoted value ${value}`, { source: path });
  }
}

/**
 * Split a command line into words: whitespace separates, `"…"` and `'…'` group, `\` escapes the next
 * character (outside single quotes). No shell runs: `$VAR`, globs and pipes mean nothing.
 */
export function splitWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (char === ' ' || char === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}
