// loadApp: import the app module (ESM or CommonJS), take its export, and detect what kind of app it is.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ManagerError } from '../errors.js';
import { describeValue, detectApp, type LoadedApp } from './detect-app.js';

export { type AppKind, detectApp, type LoadedApp } from './detect-app.js';
export { type ServedApp, serveApp } from './serve-app.js';

/** Tried after the path as given, as Node's require would (ESM `import` alone needs the exact file). */
const SUFFIXES = ['', '.js', '.mjs', '.cjs', '/index.js', '/index.mjs', '/index.cjs'];

/**
 * Import `modulePath` (a path, relative to the working directory, or a `file:` URL) and detect the app
 * in its export `exportName`. A CommonJS module's `module.exports` is its default export; a transpiled
 * one's `exports.default` is taken too. An exported promise is awaited.
 *
 * @throws ManagerError `ERR_SCGI_NODE_APP_LOAD` (not found, or the module threw: `cause` is its error),
 *   `ERR_SCGI_NODE_BAD_APP` (no such export, or not an app).
 */
export async function loadApp(modulePath: string, exportName = 'default'): Promise<LoadedApp> {
  const path = findModule(modulePath);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManagerError('ERR_SCGI_NODE_APP_LOAD', `the app module ${path} failed to load: ${reason}`, {
      cause: error,
    });
  }
  const where = `export "${exportName}" of ${path}`;
  if (!(exportName in namespace)) {
    const names = Object.keys(namespace);
    const found = names.length === 0 ? 'it has no exports' : `its exports are ${names.join(', ')}`;
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_APP',
      `${path} has no export "${exportName}": ${found} (choose one with --export NAME)`,
    );
  }
  let value = await namespace[exportName];
  // `exports.default = app` compiled from TypeScript or Babel: Node's default export is the exports object.
  if (exportName === 'default' && isTranspiledModule(value)) value = await value.default;
  try {
    return detectApp(value, where);
  } catch (error) {
    if (error instanceof ManagerError || value === undefined) throw error;
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_APP',
      `${where} (${describeValue(value)}) could not be used: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

function findModule(modulePath: string): string {
  const base = modulePath.startsWith('file:') ? fileURLToPath(modulePath) : resolve(modulePath);
  for (const suffix of SUFFIXES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new ManagerError(
    'ERR_SCGI_NODE_APP_LOAD',
    `cannot find the app module ${modulePath} (looked for ${base}${existsSync(base) ? ', a directory without index.js' : ''})`,
  );
}

function isTranspiledModule(value: unknown): value is { default: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true &&
    'default' in value
  );
}
