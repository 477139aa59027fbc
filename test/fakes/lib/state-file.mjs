// JSON state files shared between a test and the fake binaries it runs.
//
// The CLI under test may run two fakes at once (e.g. `microk8s status` while `helm version`
// runs, or two microk8s calls from parallel steps), so every read-modify-write takes a lock
// file and the new state is written to a temp file and renamed into place: a reader never
// sees half a file and no call record is lost.

import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** @param {number} ms */
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `fn` while holding `${file}.lock`.
 * @template T @param {string} file @param {() => T} fn @returns {T}
 */
export function withLock(file, fn) {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      // A holder that died mid-update leaves the lock behind; 5 s is far longer than any update.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5000) rmSync(lock, { force: true });
      } catch {}
      if (Date.now() > deadline) throw new Error(`fake state: could not lock ${file}`);
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Read the state, filling in missing top-level fields from `defaults`.
 * @template T @param {string} file @param {() => T} defaults @returns {T}
 */
export function readState(file, defaults) {
  const base = defaults();
  if (!existsSync(file)) return base;
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return base;
  return { ...base, ...JSON.parse(text) };
}

/** @param {string} file @param {unknown} state */
export function writeState(file, state) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

/**
 * Locked read-modify-write. `mutate` edits the state in place (its return value is passed back).
 * @template T, R @param {string} file @param {() => T} defaults @param {(s: T) => R} mutate @returns {R}
 */
export function updateState(file, defaults, mutate) {
  return withLock(file, () => {
    const s = readState(file, defaults);
    const r = mutate(s);
    writeState(file, s);
    return r;
  });
}

/**
 * Create the file with defaults if it does not exist yet; return the state.
 * @template T @param {string} file @param {() => T} defaults @returns {T}
 */
export function ensureState(file, defaults) {
  return updateState(file, defaults, (s) => s);
}

/** Deep merge for partial states given by tests (objects merge, arrays and scalars replace). */
/** @param {any} base @param {any} patch @returns {any} */
export function deepMerge(base, patch) {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(out[k], v);
  return out;
}

/**
 * Read one line from stdin synchronously, the way bash `read` does: returns the line without
 * its newline, or `{line, eof: true}` when stdin ended before a newline (bash's read then
 * fails even though it stored the partial text).
 * @returns {{line: string, eof: boolean}}
 */
export function readLineSync() {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n;
    try {
      n = readSync0(buf);
    } catch (err) {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      if (code === 'EAGAIN') {
        sleepSync(5);
        continue;
      }
      if (code === 'EOF' || code === 'EBADF' || code === 'ENXIO') return { line, eof: true };
      throw err;
    }
    if (n === 0) return { line, eof: true };
    const ch = buf.toString('utf8', 0, 1);
    if (ch === '\n') return { line, eof: false };
    line += ch;
  }
}

/** @param {Buffer} buf */
function readSync0(buf) {
  return readSync(0, buf, 0, 1, null);
}
