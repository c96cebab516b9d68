// The command line: `serve <module>`, `status`, `check <module>`, `cgi`, --help, --version; flags over --config over defaults.
import { ManagerError } from '../errors.js';
import {
  completeOptions,
  type ManagerOptions,
  OPTIONS,
  type OptionKey,
  type ResolveContext,
} from '../options.js';
import { readConfigFile } from './config-file.js';
import { FLAG_NAMES, suggestion } from './option-names.js';

export type CliCommand =
  | { command: 'serve'; options: ManagerOptions }
  | { command: 'status'; statusSocket: string; json: boolean }
  | { command: 'check'; app: string; exportName: string }
  /** The CGI bridge (@scgi-node/gateway's `scgi-cgi`): its arguments are its own, passed on untouched. */
  | { command: 'cgi'; args: string[] }
  | { command: 'help' }
  | { command: 'version' };

export const COMMANDS = ['serve', 'status', 'check', 'cgi'] as const;

/** Flags that are not options of the manager: what each command takes besides. */
const CLI_FLAGS = { config: 'string', json: 'boolean', help: 'boolean', version: 'boolean' } as const;
/** Which option flags each command accepts (serve: all). */
const COMMAND_OPTIONS: Record<Exclude<(typeof COMMANDS)[number], 'cgi'>, ReadonlySet<string> | 'all'> = {
  serve: 'all',
  status: new Set(['status-socket']),
  check: new Set(['export']),
};

interface Tokens {
  positionals: string[];
  /** Option values by key, parsed, from the command line. */
  values: Partial<Record<OptionKey, unknown>>;
  cli: { config?: string; json?: boolean; help?: boolean; version?: boolean };
}

/**
 * Parse `argv` (without node and the script). Throws ManagerError ERR_SCGI_NODE_BAD_OPTION (exit 2)
 * for anything it cannot take, saying what and why: unknown flags (with a suggestion), missing values,
 * bad values, a flag given twice, a missing or extra argument.
 */
export function parseCommandLine(argv: readonly string[], context: ResolveContext = {}): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined) {
    throw usage(
      'give a command: serve <app-module>, status, check <app-module> or cgi (scgi-node --help lists them all)',
    );
  }
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw usage(
      `unknown command "${first}"${suggestion(first, COMMANDS)}; the commands are ${COMMANDS.join(', ')}`,
    );
  }
  // A web server runs `scgi-node cgi [info-file]` as a CGI program: nothing here is a manager option.
  if (first === 'cgi') return { command: 'cgi', args: rest };
  const command = first as Exclude<(typeof COMMANDS)[number], 'cgi'>;
  const tokens = tokenize(rest, command);
  if (tokens.cli.help) return { command: 'help' };
  if (tokens.cli.version) return { command: 'version' };
  if (tokens.cli.json && command !== 'status') throw usage('--json is an option of the status command');
  const config = tokens.cli.config === undefined ? undefined : readConfigFile(tokens.cli.config);
  const values = { ...config?.values, ...tokens.values };

  if (command === 'status') {
    if (tokens.positionals.length > 0)
      throw usage(`status takes no argument, got "${tokens.positionals[0]}"`);
    const statusSocket = values.statusSocket as string | undefined;
    if (statusSocket === undefined) {
      throw usage(
        'status needs the status socket: --status-socket <path> (or statusSocket in the --config file)',
      );
    }
    return { command, statusSocket, json: tokens.cli.json === true };
  }
  if (tokens.positionals.length > 1)
    throw usage(`${command} takes one app module, got ${tokens.positionals.join(', ')}`);
  const app = tokens.positionals[0] ?? config?.app;
  if (app === undefined) throw usage(`${command} needs the app module: scgi-node ${command} ./app.js`);
  if (command === 'check')
    return { command, app, exportName: (values.exportName as string | undefined) ?? 'default' };
  return { command, options: completeOptions(app, values as Partial<ManagerOptions>, context) };
}

function tokenize(args: readonly string[], command: keyof typeof COMMAND_OPTIONS): Tokens {
  const tokens: Tokens = { positionals: [], values: {}, cli: {} };
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      tokens.positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      tokens.cli.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg !== '-')
        throw usage(`unknown option ${arg} (options are spelled --name)`);
      tokens.positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    const option = FLAG_NAMES.get(name);
    const cliType = (CLI_FLAGS as Record<string, 'string' | 'boolean'>)[name];
    const allowed = COMMAND_OPTIONS[command];
    if (option === undefined && cliType === undefined) {
      throw usage(
        `unknown option --${name}${suggestion(name, [...FLAG_NAMES.keys(), ...Object.keys(CLI_FLAGS)], '--')}`,
      );
    }
    if (option !== undefined && allowed !== 'all' && !allowed.has(name)) {
      throw usage(`--${name} is not an option of ${command}`);
    }
    const spec = option === undefined ? undefined : OPTIONS[option.key];
    const isBoolean = cliType === 'boolean' || spec?.value === '';
    if (given.has(name) && !spec?.repeatable) throw usage(`--${name} is given twice`);
    given.add(name);
    let raw: string | boolean;
    if (inline !== undefined) raw = inline;
    else if (isBoolean) raw = true;
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw usage(`--${name} needs a value`);
      raw = next;
      i++;
    }
    if (cliType !== undefined) {
      if (cliType === 'string') tokens.cli.config = requireText(name, raw);
      else tokens.cli[name as 'json' | 'help' | 'version'] = booleanValue(name, raw);
      continue;
    }
    const site = { label: `--${name}`, unitNamed: option!.unitNamed, source: 'flag' as const };
    const value = spec!.parse(raw, site);
    const key = option!.key;
    // A repeated list flag adds to the list: --allow 10.0.0.0/8 --allow 192.168.0.0/16.
    tokens.values[key] =
      spec!.repeatable && Array.isArray(tokens.values[key])
        ? [...(tokens.values[key] as unknown[]), ...(value as unknown[])]
        : value;
  }
  return tokens;
}

function booleanValue(name: string, raw: string | boolean): boolean {
  if (raw === true || raw === 'true') return true;
  if (raw === 'false') return false;
  throw usage(`--${name} takes no value (or =true, =false), got "${String(raw)}"`);
}

function requireText(name: string, raw: string | boolean): string {
  if (typeof raw === 'string' && raw !== '') return raw;
  throw usage(`--${name} needs a value`);
}

function usage(message: string): ManagerError {
  return new ManagerError('ERR_SCGI_NODE_BAD_OPTION', message);
}
