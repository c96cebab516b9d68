// Forms: an urlencoded post echoed back as JSON, and a multipart upload answered with its SHA-256.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** POST /form (urlencoded) and POST /upload (multipart, field `file`, up to `maxUploadBytes`). */
export function formRoutes(maxUploadBytes: number): Hono {
  const forms = new Hono();

  forms.post('/form', bodyLimit({ maxSize: 100 * 1024 }), async (c) => {
    const fields = await c.req.parseBody();
    return c.json({ fields });
  });

  forms.post(
    '/upload',
    bodyLimit({ maxSize: maxUploadBytes, onError: (c) => c.json({ error: 'upload too large' }, 413) }),
    async (c) => {
      const file = (await c.req.parseBody()).file;
      if (!(file instanceof File))
        return c.json({ error: 'send multipart/form-data with a "file" field' }, 400);
      const hash = createHash('sha256');
      // Chunk by chunk: the file is already in memory (formData), but no second copy is made.
      for await (const chunk of file.stream()) hash.update(chunk);
      return c.json({ name: file.name, size: file.size, type: file.type, sha256: hash.digest('hex') });
    },
  );
  return forms;
}
