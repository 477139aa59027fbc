// Loaded with `node --import`: records every module the process loads, through import()
// (an ESM resolve hook) or require() (Module._load), into the file named by
// TRACE_IMPORTS_FILE, so a test can prove which code a command loaded.
import { appendFileSync } from 'node:fs';
import module, { register } from 'node:module';

const file = process.env.TRACE_IMPORTS_FILE;
const load = module._load;
module._load = function tracedLoad(request, ...rest) {
  appendFileSync(file, `require ${request}\n`);
  return load.call(this, request, ...rest);
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
