// `npm run bench`: every benchmark in turn. Each prints its own figures.
const suites = ['./startup.mjs', './status.mjs', './data.mjs'];
for (const suite of suites) {
  await import(suite);
  console.log('');
}
