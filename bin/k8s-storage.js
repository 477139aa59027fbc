#!/usr/bin/env node
// Tiny shim: enable V8's compile cache where Node has one (22.1+), run the bundled CLI,
// and exit only once stdout has drained so piped output is never cut short.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
const code = await main(process.argv);
if (process.stdout.writableLength === 0) process.exit(code);
process.stdout.write('', () => process.exit(code));
