// Form handling: a urlencoded post echoed back as a page, and a multipart file upload through multer.
import { createHash } from 'node:crypto';
import express, { type Router } from 'express';
import multer from 'multer';
import { escapeHtml, page, table } from '../html.js';

/** Routes for POST /form and POST /upload. Uploads stay in memory, up to `maxUploadBytes`. */
export function formRoutes(maxUploadBytes: number): Router {
  const router = express.Router();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxUploadBytes, files: 1 } });

  router.post('/form', express.urlencoded({ extended: false, limit: '100kb' }), (req, res) => {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    res.format({
      json: () => res.json({ fields }),
      html: () => res.send(page('Form received', `<p>The server parsed these fields:</p>\n${table(fields)}`)),
    });
  });

  router.post('/upload', upload.single('file'), (req, res) => {
    const file = req.file;
    if (file === undefined) {
      res.status(400).json({ error: 'send multipart/form-data with a "file" field' });
      return;
    }
    const result = {
      name: file.originalname,
      size: file.size,
      type: file.mimetype,
      sha256: createHash('sha256').update(file.buffer).digest('hex'),
    };
    res.format({
      json: () => res.json(result),
      html: () =>
        res.send(
          page('Upload received', `<p>${escapeHtml(result.name)} arrived intact:</p>\n${table(result)}`),
        ),
    });
  });

  return router;
}
