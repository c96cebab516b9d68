// Browser forms: an urlencoded post echoed back, and a multipart upload answered with its SHA-256.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { ResolvedAppOptions } from '../app.js';

const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** `POST /form` (urlencoded echo) and `POST /upload` (multipart field `file`). */
export function formsRouter(options: ResolvedAppOptions): Router {
  const router = new Router();
  router.post('/form', koaBody({ json: false, formLimit: '100kb' }), (ctx) => {
    ctx.body = { received: ctx.request.body ?? {} };
  });
  router.post(
    '/upload',
    koaBody({
      json: false,
      urlencoded: false,
      multipart: true,
      formidable: { uploadDir: options.uploadDir, maxFileSize: MAX_UPLOAD_BYTES },
    }),
    async (ctx) => {
      // formidable leaves its temp files to us: every one of them goes once the request is answered.
      const uploaded = Object.values(ctx.request.files ?? {}).flat();
      try {
        const field = ctx.request.files?.file;
        const file = Array.isArray(field) ? field[0] : field;
        if (file === undefined) return ctx.throw(400, 'send the file in a multipart field named "file"');
        const hash = createHash('sha256');
        await pipeline(createReadStream(file.filepath), hash);
        ctx.body = {
          name: file.originalFilename,
          type: file.mimetype,
          size: file.size,
          sha256: hash.digest('hex'),
        };
      } finally {
        await Promise.all(uploaded.map((file) => rm(file.filepath, { force: true })));
      }
    },
  );
  return router;
}
