/**
 * backup db / restore db against the fake API server: the database pod's "container" runs
 * fake dump tools (scripts here) that accept only the password the kit's Secret holds, the
 * way the real ones authenticate; the fake records every exec argv, which must never hold it.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const PW = 'Sup3r-s3cret pass';
const NS = 'shop';

// Each tool checks the password it was given against the container's env (set from the
// Secret, as the image's entrypoint would have used it), then dumps or records the restore.
const TOOLS: Record<string, string> = {
  pg_dump: '[ "$PGPASSWORD" = "$POSTGRES_PASSWORD" ] || { echo "pg_dump: error: FATAL:  password authentication failed for user \\"$4\\"" >&2; exit 1; }\necho "-- dump of $6 by $4"; cat "$FAKE_DB/source"',
  psql: '[ "$PGPASSWORD" = "$POSTGRES_PASSWORD" ] || { echo "psql: error: FATAL:  password authentication failed" >&2; exit 1; }\ncat > "$FAKE_DB/restored"',
  mysqldump: '[ "$MYSQL_PWD" = "$MYSQL_ROOT_PASSWORD" ] || { echo "mysqldump: Got error: 1045: Access denied for user \'root\'@\'localhost\' (using password: YES)" >&2; exit 2; }\ncat "$FAKE_DB/source"',
  mysql: '[ "$MYSQL_PWD" = "$MYSQL_ROOT_PASSWORD" ] || { echo "ERROR 1045 (28000): Access denied" >&2; exit 1; }\ncat > "$FAKE_DB/restored"',
  'mariadb-dump': '[ "$MYSQL_PWD" = "$MARIADB_ROOT_PASSWORD" ] || { echo "mariadb-dump: Got error: 1045: Access denied" >&2; exit 2; }\ncat "$FAKE_DB/source"',
  mariadb: '[ "$MYSQL_PWD" = "$MARIADB_ROOT_PASSWORD" ] || { echo "ERROR 1045 (28000): Access denied" >&2; exit 1; }\ncat > "$FAKE_DB/restored"',
  mongodump: 'cfg=""; while [ $# -gt 0 ]; do [ "$1" = --config ] && cfg=$2; shift; done\n[ "$(sed -n \'s/^password: "\\(.*\\)"$/\\1/p\' "$cfg")" = "$MONGO_INITDB_ROOT_PASSWORD" ] || { echo "Failed: error connecting to db server: server returned error on SASL authentication step: Authentication failed." >&2; exit 1; }\ncat "$FAKE_DB/source"',
  mongorestore: 'cfg=""; while [ $# -gt 0 ]; do [ "$1" = --config ] && cfg=$2; shift; done\n[ "$(sed -n \'s/^password: "\\(.*\\)"$/\\1/p\' "$cfg")" = "$MONGO_INITDB_ROOT_PASSWORD" ] || { echo "Failed: Authentication failed." >&2; exit 1; }\ncat > "$FAKE_DB/restored"',
};

const KITS = {
  postgres: { env: [{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'password' } } }] },
  mysql: { env: [{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mysql-credentials', key: 'password' } } }] },
  mariadb: { env: [{ name: 'MARIADB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mariadb-credentials', key: 'password' } } }] },
  mongodb: {
    env: [
      { name: 'MONGO_INITDB_ROOT_USERNAME', valueFrom: { secretKeyRef: { name: 'mongodb-credentials', key: 'username' } } },
      { name: 'MONGO_INITDB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mongodb-credentials', key: 'password' } } },
    ],
  },
} as const;

async function cluster(engine: keyof typeof KITS) {
  sb = await perTest.create({ api: true });
  const s = sb;
  const bin = join(s.dir, 'tools');
  const db = join(s.dir, 'db');
  mkdirSync(bin);
  mkdirSync(db);
  for (const [name, body] of Object.entries(TOOLS)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(db, 'source'), `CREATE TABLE orders (id int);\nINSERT INTO orders VALUES (1), (2);\n-- é ✓ ${'x'.repeat(20_000)}\n`);
  const pods = s.api!.controllers.runPods({ volumesDir: join(s.dir, 'volumes'), binDirs: [bin], env: { FAKE_DB: db } });
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  s.api!.store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${engine}-credentials`, namespace: NS }, data: { password: b64(PW), username: b64('admin') } });
  s.api!.store.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: engine, namespace: NS }, spec: { replicas: 1, selector: { matchLabels: { app: engine } }, template: { metadata: { labels: { app: engine } }, spec: { containers: [{ name: engine, image: engine, env: KITS[engine].env }] } } } });
  s.api!.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${engine}-6d5f-x2x9q`, namespace: NS, labels: { app: engine } }, spec: { containers: [{ name: engine, image: engine, env: KITS[engine].env }] } });
  await s.api!.waitFor(() => s.api!.store.get('pods', `${engine}-6d5f-x2x9q`, NS)?.status?.phase === 'Running');
  return { s, pods, db };
}

describe('backup db / restore db', () => {
  it.each(['postgres', 'mysql', 'mariadb', 'mongodb'] as const)('%s: dump and restore with the Secret\'s password, never on argv', async (engine) => {
    const { s, pods, db } = await cluster(engine);
    const out = join(s.dir, 'dump');
    const b = await s.run(['backup', 'db', engine, engine, '-n', NS, '-o', out]);
    expect(b.stderr).toContain(`dumped ${engine} from ${NS}/${engine}`);
    expect(b.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(readFileSync(join(db, 'source'), 'utf8'));
    const r = await s.run(['restore', 'db', engine, engine, '-n', NS, '-f', out, '--yes']);
    expect(r.stderr).toContain('restored');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(db, 'restored'))).toEqual(readFileSync(out));
    expect(pods.execs.length).toBe(2);
    for (const e of pods.execs) {
      expect(e.pod).toBe(`${engine}-6d5f-x2x9q`);
      expect(e.argv.join('\n')).not.toContain(PW);
      expect(e.argv.join('\n')).not.toContain('Sup3r');
    }
    if (engine === 'mongodb') expect(pods.execs[0]!.command).toContain('admin'); // the user, read from the Secret
  });

  it('a wrong password in the Secret fails with the tool\'s message', async () => {
    const { s } = await cluster('postgres');
    s.api!.store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: NS }, data: { password: Buffer.from('nope').toString('base64') } });
    const r = await s.run(['backup', 'db', 'postgres', 'postgres', '-n', NS, '-o', join(s.dir, 'd'), '--secret', 'other']);
    expect(r.stderr).toContain('password authentication failed');
    expect(r.exitCode).toBe(1);
  });

  it('refuses a restore without confirmation, an unknown engine and a missing workload', async () => {
    const { s, pods } = await cluster('postgres');
    writeFileSync(join(s.dir, 'd.sql'), 'select 1;\n');
    const r = await s.run(['restore', 'db', 'postgres', 'postgres', '-n', NS, '-f', join(s.dir, 'd.sql')]);
    expect(r.stderr).toContain('add --yes');
    expect(r.exitCode).toBe(2);
    expect((await s.run(['backup', 'db', 'oracle', 'postgres', '-n', NS])).stderr).toContain('use one of postgres, mysql, mariadb, mongodb');
    const missing = await s.run(['backup', 'db', 'postgres', 'nope', '-n', NS, '-o', join(s.dir, 'x')]);
    expect(missing.stderr).toContain('no Deployment or StatefulSet "nope"');
    expect(pods.execs).toEqual([]);
  });
});
