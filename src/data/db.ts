/**
 * `backup db` / `restore db`: the dump tool of each database the app kits ship, run inside
 * the database's own pod through exec. Credentials come from the kit's Secret (found through
 * the container's secretKeyRef env) and reach the tool on stdin (first line), then through
 * an environment variable or a private file inside the container: never on any argv.
 */
import { UsageError } from '../errors.js';

export const DB_ENGINES = ['postgres', 'mysql', 'mariadb', 'mongodb'] as const;
export type DbEngine = (typeof DB_ENGINES)[number];

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

interface EngineSpec {
  /** Env var of the kit's container holding the password (a secretKeyRef). */
  passwordEnv: string[];
  /** Env var holding the user (plain value or secretKeyRef), and the default. */
  userEnv?: string;
  defaultUser: string;
  /** sh scripts: $1 = user, $2 = database (or ""), $3 = byte count (restore); the password is stdin's first line. */
  dump: string;
  restore: string;
}

// `read -r` takes exactly the first line of stdin; the rest (a dump, for restores) is left for the tool.
const READ = 'IFS= read -r K8S_STORAGE_PW || exit 97';

export const ENGINES: Record<DbEngine, EngineSpec> = {
  postgres: {
    passwordEnv: ['POSTGRES_PASSWORD'],
    userEnv: 'POSTGRES_USER',
    defaultUser: 'postgres',
    dump: `${READ}; PGPASSWORD=$K8S_STORAGE_PW; export PGPASSWORD; exec pg_dump -h 127.0.0.1 -U "$1" --clean --if-exists "\${2:-$1}"`,
    restore: `${READ}; PGPASSWORD=$K8S_STORAGE_PW; export PGPASSWORD; head -c "$3" | psql -h 127.0.0.1 -U "$1" -v ON_ERROR_STOP=1 -q "\${2:-$1}"`,
  },
  mysql: {
    passwordEnv: ['MYSQL_ROOT_PASSWORD'],
    defaultUser: 'root',
    dump: `${READ}; MYSQL_PWD=$K8S_STORAGE_PW; export MYSQL_PWD; exec mysqldump -h 127.0.0.1 -u "$1" --single-transaction --routines --events --all-databases`,
    restore: `${READ}; MYSQL_PWD=$K8S_STORAGE_PW; export MYSQL_PWD; head -c "$3" | mysql -h 127.0.0.1 -u "$1"`,
  },
  mariadb: {
    passwordEnv: ['MARIADB_ROOT_PASSWORD', 'MYSQL_ROOT_PASSWORD'],
    defaultUser: 'root',
    // MariaDB 11 images have mariadb-dump/mariadb; older ones only the mysql names.
    dump: `${READ}; MYSQL_PWD=$K8S_STORAGE_PW; export MYSQL_PWD; d=$(command -v mariadb-dump || command -v mysqldump); exec "$d" -h 127.0.0.1 -u "$1" --single-transaction --routines --events --all-databases`,
    restore: `${READ}; MYSQL_PWD=$K8S_STORAGE_PW; export MYSQL_PWD; c=$(command -v mariadb || command -v mysql); head -c "$3" | "$c" -h 127.0.0.1 -u "$1"`,
  },
  mongodb: {
    passwordEnv: ['MONGO_INITDB_ROOT_PASSWORD'],
    userEnv: 'MONGO_INITDB_ROOT_USERNAME',
    defaultUser: 'root',
    // mongodump has no password variable: a --config file only this run can read, removed on exit.
    dump: `${READ}; umask 077; f=$(mktemp); trap 'rm -f "$f"' EXIT; printf 'password: "%s"\\n' "$K8S_STORAGE_PW" > "$f"; mongodump --quiet --archive --authenticationDatabase admin -u "$1" --config "$f"`,
    restore: `${READ}; umask 077; f=$(mktemp); trap 'rm -f "$f"' EXIT; printf 'password: "%s"\\n' "$K8S_STORAGE_PW" > "$f"; head -c "$3" | mongorestore --quiet --archive --drop --authenticationDatabase admin -u "$1" --config "$f"`,
  },
};

export function parseEngine(text: string): DbEngine {
  const e = text.toLowerCase() === 'postgresql' ? 'postgres' : text.toLowerCase();
  if (!(DB_ENGINES as readonly string[]).includes(e)) throw new UsageError(`database "${text}": use one of ${DB_ENGINES.join(', ')}`);
  return e as DbEngine;
}

export interface DbTarget {
  container: string;
  password: SecretRef;
  /** A plain user, or one to read from a Secret. */
  user: string | SecretRef;
}

/** Pure: which container, which Secret key holds the password, which user, from the pod's spec. */
export function dbTarget(engine: DbEngine, pod: { metadata: { name: string; namespace?: string }; spec?: any }, secretOverride?: string): DbTarget {
  const spec = ENGINES[engine];
  const ns = pod.metadata.namespace ?? 'default';
  const containers: any[] = pod.spec?.containers ?? [];
  const container = containers.find((c) => (c.env ?? []).some((e: any) => spec.passwordEnv.includes(e.name))) ?? containers[0];
  const envOf = (name: string) => (container?.env ?? []).find((e: any) => e.name === name);
  const pw = spec.passwordEnv.map(envOf).find(Boolean);
  const ref = pw?.valueFrom?.secretKeyRef;
  if (!ref && !secretOverride) {
    throw new UsageError(`pod ${pod.metadata.name} has no ${spec.passwordEnv.join(' or ')} from a Secret: cannot find the ${engine} credentials.`, { hint: 'name the Secret with --secret NAME (key "password")' });
  }
  const u = spec.userEnv ? envOf(spec.userEnv) : undefined;
  const user: string | SecretRef = u?.valueFrom?.secretKeyRef ? { namespace: ns, name: u.valueFrom.secretKeyRef.name, key: u.valueFrom.secretKeyRef.key } : (u?.value ?? spec.defaultUser);
  return { container: container?.name ?? '', password: { namespace: ns, name: secretOverride ?? ref.name, key: secretOverride ? 'password' : ref.key }, user };
}

export const dumpCommand = (engine: DbEngine, user: string, database = '') => ['sh', '-c', ENGINES[engine].dump, 'sh', user, database];
export const restoreCommand = (engine: DbEngine, user: string, database: string, bytes: number) => ['sh', '-c', ENGINES[engine].restore, 'sh', user, database, String(bytes)];
