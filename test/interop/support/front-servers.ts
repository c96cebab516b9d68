// Real nginx, Apache and lighttpd, each run from the examples/deploy templates in a temp folder of its own.
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Child, freePort, startChild, stopChild } from './processes.js';
import { type Placeholders, renderTemplate } from './render.js';
import { wwwData } from './sandbox.js';

export const FRONT_SERVERS = ['nginx', 'apache', 'lighttpd'] as const;
export type FrontKind = (typeof FRONT_SERVERS)[number];

/** Where a worker listens: a unix socket or a TCP port on 127.0.0.1. */
export type Backend = { kind: 'unix'; path: string } | { kind: 'tcp'; port: number };

/** The Debian binaries. */
export const BINARIES: Record<FrontKind, string> = {
  nginx: '/usr/sbin/nginx',
  apache: '/usr/sbin/apache2',
  lighttpd: '/usr/sbin/lighttpd',
};

/** How each server names its backend in its config (the `{{BACKEND}}` placeholder). */
export function backendValue(kind: FrontKind, backend: Backend): string {
  switch (kind) {
    case 'nginx':
      return backend.kind === 'unix' ? `unix:${backend.path}` : `127.0.0.1:${backend.port}`;
    case 'apache':
      return backend.kind === 'unix'
        ? `unix:${backend.path}|scgi://localhost/`
        : `scgi://127.0.0.1:${backend.port}/`;
    case 'lighttpd':
      return backend.kind === 'unix'
        ? `"socket" => "${backend.path}"`
        : `"host" => "127.0.0.1", "port" => ${backend.port}`;
  }
}

/** The templates each server is run from, main config first. */
export const TEMPLATES: Record<FrontKind, readonly string[]> = {
  nginx: ['nginx/nginx.conf', 'nginx/sites-available/scgi-app.conf', 'nginx/snippets/scgi-app.conf'],
  apache: [
    'apache/apache2.conf',
    'apache/sites-available/scgi-app.conf',
    'apache/conf-available/scgi-app.conf',
  ],
  lighttpd: ['lighttpd/lighttpd.conf', 'lighttpd/conf-available/50-scgi-app.conf'],
};

/** A running front server. `port` is the ordinary entry, `offloadPort` the one that sets HTTPS=on. */
export interface FrontServer {
  readonly kind: FrontKind;
  readonly dir: string;
  readonly port: number;
  readonly offloadPort: number;
  readonly child: Child;
  stop(): Promise<void>;
}

export interface FrontOptions {
  /** Folder for this server's config, pid, logs and temp files (created; must be reachable by www-data). */
  dir: string;
  /** Placeholder values besides PREFIX, LISTEN*, OFFLOAD*, SITE (BACKEND, HTPASSWD, ...). */
  values: Placeholders;
  /** Templates to render (default TEMPLATES[kind]); for nginx the second one is the site. */
  templates?: readonly string[];
  /** Edit a template's text before rendering (the limit tests take a fix out). */
  edit?: (template: string, text: string) => string;
  /** Whether the configs open the HTTPS=on entry ({{OFFLOAD_LISTEN}}); default true. */
  offload?: boolean;
}

const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 20_000;

function commandFor(kind: FrontKind, dir: string, main: string): [string, string[]] {
  switch (kind) {
    case 'nginx':
      return [
        BINARIES.nginx,
        ['-p', `${dir}/`, '-c', main, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      ];
    case 'apache':
      return [BINARIES.apache, ['-d', dir, '-f', main, '-DFOREGROUND']];
    case 'lighttpd':
      return [BINARIES.lighttpd, ['-D', '-f', main]];
  }
}

/** Render the configs into `options.dir` and start the server on free ports, retrying if one was taken. */
export async function startFrontServer(kind: FrontKind, options: FrontOptions): Promise<FrontServer> {
  const templates = options.templates ?? TEMPLATES[kind];
  const account = wwwData();
  mkdirSync(options.dir, { recursive: true, mode: 0o711 });
  if (kind === 'lighttpd') {
    // lighttpd opens its error log after dropping to www-data; uploads are spooled here as www-data too.
    mkdirSync(join(options.dir, 'htdocs'), { recursive: true });
    mkdirSync(join(options.dir, 'uploads'), { recursive: true });
    chownSync(join(options.dir, 'uploads'), account.uid, account.gid);
    chownSync(options.dir, account.uid, account.gid);
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const [port, offloadPort] = [await freePort(), await freePort()];
    if (port === offloadPort) continue;
    const values: Placeholders = {
      PREFIX: options.dir,
      LISTEN: `127.0.0.1:${port}`,
      LISTEN_PORT: String(port),
      OFFLOAD_LISTEN: `127.0.0.1:${offloadPort}`,
      OFFLOAD_PORT: String(offloadPort),
      SITE: join(options.dir, templates[1]!.replace(/^[^/]+\//, '')),
      SERVER_NAME: 'localhost',
      ...options.values,
    };
    const rendered = templates.map((template) =>
      renderTemplate(template, options.dir, values, {
        to: template.replace(/^[^/]+\//, ''), // nginx/snippets/x.conf -> <dir>/snippets/x.conf
        edit: options.edit === undefined ? undefined : (text) => options.edit!(template, text),
      }),
    );
    const [command, args] = commandFor(kind, options.dir, rendered[0]!);
    const child = startChild(kind, command, args);
    try {
      await untilAnswering(child, port);
      if (options.offload !== false) await untilAnswering(child, offloadPort);
      return {
        kind,
        dir: options.dir,
        port,
        offloadPort,
        child,
        stop: () => stopChild(child),
      };
    } catch (error) {
      await stopChild(child);
      lastError = error;
      // Another process took a port between freePort() and the bind: pick new ones. Anything else is real.
      if (!/in use/i.test(`${child.output()}\n${readErrorLog(options.dir)}`)) throw error;
    }
  }
  throw lastError;
}

function readErrorLog(dir: string): string {
  const path = join(dir, 'error.log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** Poll until the server answers any HTTP request on `port`; fail if it exits or stays silent too long. */
async function untilAnswering(child: Child, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited while starting:\n${child.output()}`);
    }
    if (await answers(port)) return;
    await sleep(100);
  }
  throw new Error(
    `${child.name} did not answer on port ${port} within ${READY_TIMEOUT_MS} ms:\n${child.output()}`,
  );
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}
