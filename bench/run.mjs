// `npm run bench`: every benchmark in turn. Each prints its own figures.
// kubectl.mjs is the side-by-side comparison with the real kubectl (issue 13's targets);
// sea.mjs the single executable's start-up beside the bundle's.
const suites = ['./kubectl.mjs', './startup.mjs', './sea.mjs', './status.mjs', './usage.mjs', './data.mjs'];
for (const suite of suites) {
  await import(suite);
  console.log('');
}
