// The logger: one JSON object or one pretty line per event, levels, child fields, errors with their codes.
import { describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { createLogger, type LoggerOptions } from './logger.js';

const TIME = new Date('2025-05-01T12:00:00.000Z');

function capture(options: LoggerOptions = {}) {
  const writes: string[] = [];
  const logger = createLogger({
    now: () => TIME,
    stream: { write: (line) => writes.push(line) },
    ...options,
  });
  return { logger, writes };
}

describe('JSON lines', () => {
  it('writes one object per event, with time, level, msg and fields, in one write each', () => {
    const { logger, writes } = capture({ fields: { pid: 7 } });
    logger.info('worker ready', { worker: 2, listen: 'unix /run/app.sock' });
    logger.warn('slow', { url: '/a "b"\nc' });
    expect(writes).toEqual([
      '{"time":"2025-05-01T12:00:00.000Z","level":"info","msg":"worker ready","pid":7,"worker":2,"listen":"unix /run/app.sock"}\n',
      '{"time":"2025-05-01T12:00:00.000Z","level":"warn","msg":"slow","pid":7,"url":"/a \\"b\\"\\nc"}\n',
    ]);
    for (const line of writes) expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it('serializes errors with their code, exit code and cause', () => {
    const { logger, writes } = capture();
    const cause = Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' });
    logger.error('giving up', {
      error: new ManagerError('ERR_SCGI_NODE_LISTEN', 'cannot listen', { cause }),
    });
    const record = JSON.parse(writes[0]!) as { error: Record<string, unknown> };
    expect(record.error).toMatchObject({
      name: 'ManagerError',
      message: 'cannot listen',
      code: 'ERR_SCGI_NODE_LISTEN',
      exitCode: 1,
      cause: { name: 'Error', message: 'EADDRINUSE', code: 'EADDRINUSE' },
    });
    expect(record.error.stack).toContain('ManagerError: cannot listen');
  });

  it('keeps the event when a field cannot be serialized', () => {
    const { logger, writes } = capture();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.info('odd', { loop, big: 1n });
    expect(JSON.parse(writes[0]!)).toEqual({
      time: '2025-05-01T12:00:00.000Z',
      level: 'info',
      msg: 'odd',
      logError: 'fields could not be serialized',
    });
    logger.info('big', { big: 2n ** 64n });
    expect(JSON.parse(writes[1]!).big).toBe('18446744073709551616');
  });
});

describe('pretty lines', () => {
  it('time LEVEL msg key=value, quoting values that need it, one line even for a multi-line message', () => {
    const { logger, writes } = capture({ format: 'pretty' });
    logger.info('worker ready', { worker: 2, url: '/a b', ok: true, skipped: undefined, meta: { a: 1 } });
    logger.error('crashed\nbadly', { error: Object.assign(new Error('boom'), { code: 'E_BOOM' }) });
    expect(writes).toEqual([
      '2025-05-01T12:00:00.000Z INFO  worker ready worker=2 url="/a b" ok=true meta={"a":1}\n',
      '2025-05-01T12:00:00.000Z ERROR crashed\\nbadly error="Error: boom (E_BOOM)"\n',
    ]);
  });
});

describe('levels and children', () => {
  it('drops events below the level and says which levels are on', () => {
    const { logger, writes } = capture({ level: 'warn' });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(writes.map((line) => JSON.parse(line).msg)).toEqual(['c', 'd']);
    expect([logger.enabled('info'), logger.enabled('warn'), logger.level, logger.format]).toEqual([
      false,
      true,
      'warn',
      'json',
    ]);
  });

  it('a child adds its fields to every event, and an event field wins over them', () => {
    const { logger, writes } = capture({ level: 'debug' });
    const worker = logger.child({ worker: 3 }).child({ pid: 99 });
    worker.debug('heartbeat', { pid: 100 });
    expect(JSON.parse(writes[0]!)).toMatchObject({ level: 'debug', msg: 'heartbeat', worker: 3, pid: 100 });
  });

  it('defaults to JSON at info', () => {
    const logger = createLogger();
    expect(logger.format).toBe('json');
    expect(logger.level).toBe('info');
  });
});
