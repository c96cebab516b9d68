// Before timing anything: each path answers each scenario with status 200 and the same body as path (a).
import { DOWNLOAD } from './content.mjs';
import { SCENARIOS } from './scenarios.mjs';

const UPLOAD = Buffer.alloc(1024 * 1024, 0x78);

async function fetchBody(url, scenario) {
  const init = scenario.name === 'upload' ? { method: 'POST', body: UPLOAD } : {};
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200)
    throw new Error(`${url}: status ${response.status}: ${body.toString().slice(0, 200)}`);
  return body;
}

/** Throws on the first path whose answer differs; what each scenario must answer is checked on (a). */
export async function checkResponses({ frameworks, paths, url }) {
  for (const framework of frameworks) {
    for (const scenario of SCENARIOS) {
      const reference = await fetchBody(url(framework, paths[0], scenario), scenario);
      const expected = {
        hello: (body) => body.toString() === 'Hello, world!\n',
        page: (body) => body.length > 18_000 && body.includes('<table>'),
        download: (body) => body.equals(DOWNLOAD),
        upload: (body) => body.toString() === String(UPLOAD.length),
      }[scenario.name];
      if (!expected(reference)) throw new Error(`${framework} ${scenario.name}: unexpected answer over SCGI`);
      for (const path of paths.slice(1)) {
        if (path.only !== undefined && path.only !== scenario.name) continue;
        const body = await fetchBody(url(framework, path, scenario), scenario);
        if (!body.equals(reference)) {
          throw new Error(`${framework} ${scenario.name}: path (${path.id}) answers differently from (a)`);
        }
      }
    }
  }
}
