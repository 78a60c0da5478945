// Builds the pages into the Python package (api/web/static), so serving them needs no Node.js.
// Reproducible: pinned versions (package-lock.json), no timestamps, no source maps, fixed options;
// .ci/run rebuilds and fails if the committed files differ.
import {build} from 'esbuild';
import {copyFile, mkdir} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'api', 'web', 'static');
await mkdir(out, {recursive: true});
await build({
  entryPoints: {explore: join(here, 'src/explore/main.js'), review: join(here, 'src/review/main.js')},
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: out,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
});
for (const file of ['explore.html', 'review.html', 'app.css', 'favicon.svg']) await copyFile(join(here, 'src', file), join(out, file));
console.log(`built into ${out}`);
