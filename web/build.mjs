// Builds the pages into the Python package (api/web/static), so serving them needs no Node.js.
// Reproducible: pinned versions (package-lock.json), no timestamps, no source maps, fixed options;
// .ci/run rebuilds and fails if the committed files differ.
import {build} from 'esbuild';
import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises';
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
for (const file of ['app.css', 'favicon.svg']) await copyFile(join(here, 'src', file), join(out, file));

// Pages share their header and sign-in form: <!--#include NAME title="..." current="explore|review"-->.
for (const file of ['explore.html', 'review.html']) {
  const page = await readFile(join(here, 'src', file), 'utf8');
  const includes = [...page.matchAll(/<!--#include ([\w-]+) title="([^"]*)" current="(\w+)"-->\n/g)];
  let html = page;
  for (const [whole, name, title, current] of includes) {
    const partial = (await readFile(join(here, 'src', 'partials', `${name}.html`), 'utf8'))
      .replace('{{TITLE}}', title)
      .replace('{{EXPLORE_CURRENT}}', current === 'explore' ? ' aria-current="page"' : '')
      .replace('{{REVIEW_CURRENT}}', current === 'review' ? ' aria-current="page"' : '');
    html = html.replace(whole, partial);
  }
  await writeFile(join(out, file), html);
}
console.log(`built into ${out}`);
