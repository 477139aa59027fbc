// Loaded with `node --import`: records every module the process loads, through import()
// (an ESM resolve hook) or require() (Module._load), into the file named by
// TRACE_IMPORTS_FILE, so a test can prove which code a command loaded; and every .cjs file
// read, since the bundles dist/cli.cjs, dist/kube.cjs and dist/tools.cjs load that way.
import childProcess from 'node:child_process';
import fs, { appendFileSync } from 'node:fs';
import module, { register } from 'node:module';

const file = process.env.TRACE_IMPORTS_FILE;
const load = module._load;
module._load = function tracedLoad(request, ...rest) {
  appendFileSync(file, `require ${request}\n`);
  return load.call(this, request, ...rest);
};

// The bundles (dist/*.cjs) run through vm.Script from a file read, not require(): record the reads.
const read = fs.readFileSync;
fs.readFileSync = function tracedRead(path, ...rest) {
  if (typeof path === 'string' && path.endsWith('.cjs')) appendFileSync(file, `read ${path}\n`);
  if (typeof path === 'string' && path.endsWith('cli.cjs')) cliStarted = true;
  return read.call(this, path, ...rest);
};

// And the first use of process.stdout, stderr or stdin once the CLI's bundle is read: Node
// builds each on first access (for a pipe a net.Socket, for a terminal a tty.WriteStream),
// which costs start-up time. (The loader hooks below touch them before the CLI starts.)
let cliStarted = false;
for (const name of ['stdout', 'stderr', 'stdin']) {
  const own = Object.getOwnPropertyDescriptor(process, name);
  let seen = false;
  Object.defineProperty(process, name, {
    ...own,
    get() {
      if (cliStarted && !seen) {
        seen = true;
        appendFileSync(file, `stdio process.${name}\n`);
      }
      return own.get.call(this);
    },
  });
}

// And every program started, so a test can tell what ran before what.
const spawn = childProcess.spawn;
childProcess.spawn = function tracedSpawn(cmd, args, ...rest) {
  appendFileSync(file, `spawn ${cmd} ${Array.isArray(args) ? args.join(' ') : ''}\n`);
  return spawn.call(this, cmd, args, ...rest);
};

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(file)}, 'import ' + result.url + '\\n');
  return result;
}`)}`,
);
