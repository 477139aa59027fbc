#!/usr/bin/env node
// Run the fake API server on its own, for benchmarks and manual poking.
//
//   node test/fakes/apiserver-cli.mjs [--port N] [--git-version v1.32.3] [--hide-group longhorn.io]
//        [--auto-ready[=MS]] [--auto-bind[=MS]] [--kubeconfig PATH] [SEED.yaml|SEED.json ...]
//
// Prints one JSON line `{"url":"http://127.0.0.1:PORT","port":PORT,"objects":N}` on stdout
// once it is listening, then runs until SIGINT/SIGTERM. Seed files may hold several YAML
// documents, a JSON array, or a List (`items:`).
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { startFakeApiServer } from './apiserver.mjs';

const args = process.argv.slice(2);
/** @type {string[]} */
const seedFiles = [];
/** @type {import('./apiserver.mjs').FakeApiServerOptions} */
const opts = { hiddenGroups: [] };
let autoReady = -1;
let autoBind = -1;
let kubeconfigPath = '';
for (let i = 0; i < args.length; i++) {
  const a = /** @type {string} */ (args[i]);
  const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
  const value = () => inline ?? args[++i] ?? '';
  if (flag === '--port') opts.port = Number(value());
  else if (flag === '--git-version') opts.gitVersion = value();
  else if (flag === '--hide-group') opts.hiddenGroups?.push(value());
  else if (flag === '--auto-ready') autoReady = Number(inline ?? 0);
  else if (flag === '--auto-bind') autoBind = Number(inline ?? 0);
  else if (flag === '--kubeconfig') kubeconfigPath = value();
  else if (flag === '--help' || flag === '-h') {
    process.stdout.write('usage: apiserver-cli.mjs [--port N] [--git-version V] [--hide-group G] [--auto-ready[=MS]] [--auto-bind[=MS]] [--kubeconfig PATH] [seed files...]\n');
    process.exit(0);
  } else if (flag.startsWith('--')) {
    process.stderr.write(`apiserver-cli: unknown flag ${flag}\n`);
    process.exit(2);
  } else seedFiles.push(a);
}

/** @param {string} file */
function readObjects(file) {
  const text = readFileSync(file, 'utf8');
  /** @type {any[]} */
  const docs = file.endsWith('.json') ? [JSON.parse(text)] : YAML.parseAllDocuments(text).map((d) => d.toJSON());
  return docs.flatMap((d) => (Array.isArray(d) ? d : d && Array.isArray(d.items) ? d.items : d ? [d] : []));
}

const objects = seedFiles.flatMap(readObjects);
const api = await startFakeApiServer(opts);
api.store.seed(objects);
if (autoReady >= 0) api.controllers.autoReadyWorkloads({ delayMs: autoReady });
if (autoBind >= 0) api.controllers.autoBindPvcs({ delayMs: autoBind });
if (kubeconfigPath) writeFileSync(kubeconfigPath, api.kubeconfig());
process.stdout.write(JSON.stringify({ url: api.url, port: api.port, objects: objects.length }) + '\n');

const stop = async () => {
  await api.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
