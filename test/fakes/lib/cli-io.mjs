// Console helpers both fake binaries share: line output on each stream, a sleep, and
// quiet exits when the reader goes away (`microk8s status | head -1` must not end in a
// stack trace, nor must `helm list | head`).

/** @param {string} [s] */
export const out = (s = '') => process.stdout.write(s + '\n');
/** @param {string} [s] */
export const err = (s = '') => process.stderr.write(s + '\n');
/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
}
