/**
 * The committed command reference (docs/commands, docs/man) is what `npm run docs` writes
 * from the command definitions today: regenerated in memory and compared, file by file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { COMMANDS_DIR, MAN_DIR, referenceFiles } from '../../src/docs/reference.js';
import { TOP_LEVEL_COMMANDS } from '../../src/cli.js';
import { REPO } from '../helpers/run-cli.js';

const HAS_MAN = spawnSync('man', ['--version']).status === 0;
const STALE = 'the command reference is stale: run `npm run docs` and commit docs/';
const files = referenceFiles();

describe('the command reference', () => {
  it('has a page and a man page for the program and every top-level command', () => {
    for (const name of ['k8s-storage', ...TOP_LEVEL_COMMANDS.map((c) => `k8s-storage-${c}`)]) {
      expect(files, name).toHaveProperty([`${MAN_DIR}/${name}.1`]);
      expect(files, name).toHaveProperty([`${COMMANDS_DIR}/${name.replace(/^k8s-storage-/, 'k8s-storage_')}.md`]);
    }
    expect(files[`${COMMANDS_DIR}/k8s-storage_install_longhorn.md`]).toMatch(/## Chart values\n\n\| Option \| Description \|[\s\S]*`--replicas <n>`/);
  });

  it('on disk is exactly what the command definitions generate (run `npm run docs` after changing a command)', () => {
    const onDisk = [COMMANDS_DIR, MAN_DIR].flatMap((dir) => (existsSync(join(REPO, dir)) ? readdirSync(join(REPO, dir)).map((f) => `${dir}/${f}`) : []));
    expect(onDisk.sort(), STALE).toEqual(Object.keys(files).sort());
    for (const [path, text] of Object.entries(files)) expect(readFileSync(join(REPO, path), 'utf8'), `${path}: ${STALE}`).toBe(text);
  });

  it("package.json's man list is the man pages (npm installs those; run `npm run docs` to update it)", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.man, STALE).toEqual(Object.keys(files).filter((f) => f.endsWith('.1')).map((f) => `./${f}`));
    expect(pkg.files).toContain(MAN_DIR);
  });

  it('is deterministic: no date, no version, no terminal width', () => {
    expect(referenceFiles()).toEqual(files);
    expect(files[`${MAN_DIR}/k8s-storage.1`]!.split('\n')[0]).toBe('.TH "K8S-STORAGE" "1" "" "k8s-storage" "User Commands"');
  });

  it.skipIf(!HAS_MAN)(`the man pages are valid roff: man renders them without a warning${HAS_MAN ? '' : ' (skipped: man is not installed)'}`, async () => {
    const page = join(REPO, MAN_DIR, 'k8s-storage-render-pvc.1');
    const r = await execa('man', ['--warnings', '-l', page], { env: { MANPAGER: 'cat', MANWIDTH: '100', LANG: 'C.UTF-8' }, reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/--access-mode <mode>\n\s+RWO, ROX, RWX or RWOP/);
    expect(r.stdout).toMatch(/SEE ALSO\n\s+k8s-storage-render\(1\)/);
  });
});
