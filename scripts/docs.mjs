// `npm run docs`: writes the command reference, docs/commands/*.md and docs/man/*.1, from
// the command definitions (src/docs/reference.ts), and removes pages of commands that no
// longer exist. test/unit/docs.test.ts fails when what is committed differs from this.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBundleOptions, RUNTIME_EXTERNALS } from './bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// In dist/, as the CLI's bundle is: templates/ are found from where the bundle lies.
const out = join(root, 'dist', `.docs-${process.pid}.cjs`);
await build({ ...cliBundleOptions(), write: true, minify: false, entryPoints: [join(root, 'src', 'docs', 'reference.ts')], outfile: out, external: RUNTIME_EXTERNALS });
let files;
try {
  const reference = createRequire(import.meta.url)(out);
  files = reference.referenceFiles();
  for (const dir of [reference.COMMANDS_DIR, reference.MAN_DIR]) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const f of readdirSync(join(root, dir))) if (!(`${dir}/${f}` in files)) rmSync(join(root, dir, f));
  }
} finally {
  rmSync(out, { force: true });
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
// npm installs man pages from package.json `man` only (not from directories.man): list them.
const pkgFile = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
pkg.man = Object.keys(files).filter((f) => f.endsWith('.1')).map((f) => `./${f}`);
writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
console.error(`wrote ${Object.keys(files).length} files in docs/commands and docs/man, and package.json's man list`);
