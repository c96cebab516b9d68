// `--config file.json`: the same options as the flags, in a JSON object, checked key by key.
import { readFileSync } from 'node:fs';
import { ManagerError } from '../errors.js';
import { OPTIONS, type OptionKey } from '../options.js';
import { CONFIG_NAMES, suggestion } from './option-names.js';

/** What a config file sets: parsed option values, and the app module if it names one. */
export interface ConfigValues {
  app: string | undefined;
  values: Partial<Record<OptionKey, unknown>>;
}

/**
 * Read and check a config file: a JSON object whose keys are option names (`listen`, `max-memory`,
 * `maxMemory` or `maxMemoryBytes`) or `app`. Values follow the flags' syntax (`"512M"`, `"30s"`,
 * `"2..8"`); a JSON number is accepted where the name says its unit (`timeoutMs`, `maxBodyBytes`) or
 * the option has none (`concurrency`). `$schema` is ignored.
 *
 * @throws ManagerError ERR_SCGI_NODE_BAD_CONFIG (unreadable, not JSON, not an object),
 *   ERR_SCGI_NODE_BAD_OPTION (unknown key, bad value, one option under two names).
 */
export function readConfigFile(path: string): ConfigValues {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_CONFIG',
      `--config: cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_CONFIG',
      `--config: ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_CONFIG',
      `--config: ${path} must hold a JSON object of options`,
    );
  }
  const result: ConfigValues = { app: undefined, values: {} };
  const seen = new Map<OptionKey, string>();
  for (const [name, value] of Object.entries(json)) {
    if (name === '$schema') continue;
    const label = `${path}: "${name}"`;
    if (name === 'app') {
      if (typeof value !== 'string' || value === '') {
        throw new ManagerError('ERR_SCGI_NODE_BAD_OPTION', `${label}: expected the app module's path`);
      }
      result.app = value;
      continue;
    }
    const option = CONFIG_NAMES.get(name);
    if (option === undefined) {
      const hint = suggestion(name, [...CONFIG_NAMES.keys(), 'app']);
      throw new ManagerError('ERR_SCGI_NODE_BAD_OPTION', `${path}: unknown option "${name}"${hint}`);
    }
    const earlier = seen.get(option.key);
    if (earlier !== undefined) {
      throw new ManagerError(
        'ERR_SCGI_NODE_BAD_OPTION',
        `${path}: "${name}" and "${earlier}" are the same option`,
      );
    }
    seen.set(option.key, name);
    result.values[option.key] = OPTIONS[option.key].parse(value, {
      label,
      unitNamed: option.unitNamed,
      source: 'config',
    });
  }
  return result;
}
