/**
 * Every JSON output carries apiVersion and kind and matches its schema in schemas/. The
 * schemas are checked against real output in the tests of each command (expectOutputSchema,
 * against the fake API server and fakes); this file checks the offline ones, and that every
 * command declaring `-o json` has a schema that some test checks, so a new output without
 * one fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, nodeTargets } from '../../src/backends/index.js';
import { outputsOf } from '../../src/cli-kit.js';
import { Fixture } from '../agent/fixtures.js';
import { allCommands } from '../helpers/cli-tree.js';
import { compileOutputSchema, expectOutputSchema, outputSchemas } from '../helpers/output-schema.js';
import { REPO, runCli } from '../helpers/run-cli.js';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const UBUNTU = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';

/** The schema each command's -o json matches (schemas/<name>.schema.json, named after its kind). */
const SCHEMA_OF: Record<string, string> = {
  version: 'version',
  status: 'status-report',
  presets: 'preset-catalog',
  recommend: 'storage-recommendation',
  'diagnose pvc': 'diagnose-report',
  'diagnose pod': 'diagnose-report',
  usage: 'usage-report',
  verify: 'verify-report',
  bench: 'bench-report',
  'nodes check': 'node-check-report',
  'nodes prepare': 'node-check-report',
  doctor: 'doctor-report',
  'snapshot list': 'snapshot-list',
  'backup target show': 'backup-target-summary',
  'backup list': 'backup-list',
  'schedule list': 'schedule-list',
  'backup restore': 'restored-claim',
  'snapshot restore': 'restored-claim',
};

/** What `--dry-run -o json` prints: the plan (a Plan), except for the node commands, whose plans are their own. */
const DRY_RUN_SCHEMA_OF: Record<string, string> = { 'nodes check': 'node-check-plan', 'nodes prepare': 'node-prepare-plan' };

/** JSON outputs that are not ours to describe (README.md, "JSON output"). */
const EXEMPT: Record<string, string> = {
  'render pvc': 'Kubernetes objects in a v1 List',
  'render storageclass': 'Kubernetes objects in a v1 List',
  'render app': 'Kubernetes objects in a v1 List',
  'apply pvc': "the server's objects in a v1 List",
  'apply storageclass': "the server's objects in a v1 List",
  'apply app': "the server's objects in a v1 List",
  dashboards: 'a Grafana dashboard',
  'render longhorn-values': 'Helm values for the Longhorn chart',
};


/** Test sources, to find which schemas a test checks real output against. */
function testSources(dir = join(REPO, 'test')): string {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .map((p) => (statSync(p).isDirectory() ? testSources(p) : p.endsWith('.test.ts') ? readFileSync(p, 'utf8') : ''))
    .join('\n');
}

const kebab = (kind: string) => kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

describe('JSON outputs match their schemas', () => {
  it('every command that prints -o json has a schema, named after its kind, that a test checks against real output', () => {
    const json = allCommands().filter((c) => outputsOf(c.cmd).includes('json')).map((c) => c.path);
    expect(json.filter((p) => !(p in SCHEMA_OF) && !(p in EXEMPT)), 'commands with -o json and no schema: add schemas/<kind>.schema.json and map it in SCHEMA_OF').toEqual([]);
    // The maps name nothing that does not exist (or no longer prints JSON).
    expect([...Object.keys(SCHEMA_OF), ...Object.keys(EXEMPT)].filter((p) => !json.includes(p))).toEqual([]);
    const dryRuns = allCommands().filter((c) => c.cmd.options.some((o) => o.long === '--dry-run')).map((c) => c.path);
    expect(dryRuns).toEqual(expect.arrayContaining(['install hostpath', 'apply pvc', 'nodes check', 'nodes prepare']));
    const used = new Set([...Object.values(SCHEMA_OF), ...dryRuns.map((p) => DRY_RUN_SCHEMA_OF[p] ?? 'plan')]);
    const schemas = outputSchemas();
    const sources = testSources();
    for (const name of used) {
      const schema = schemas.get(name);
      expect(schema, `schemas/${name}.schema.json`).toBeDefined();
      expect(schema!.$id).toBe(`https://k8s-storage.io/schemas/${name}.schema.json`);
      expect(kebab(schema!.properties?.kind?.const ?? ''), `the kind of schemas/${name}.schema.json`).toBe(name);
      expect((schema!.required as string[]).slice(0, 2)).toEqual(['apiVersion', 'kind']);
      expect(sources.includes(`expectOutputSchema('${name}'`), `a test checks real output against schemas/${name}.schema.json`).toBe(true);
    }
    // No schema file is left over from an output that went away.
    expect([...schemas.keys()].filter((n) => !used.has(n))).toEqual([]);
  });

  it('every schema compiles in strict mode (unknown keywords, bad $refs fail)', () => {
    for (const name of outputSchemas().keys()) expect(() => compileOutputSchema(name), name).not.toThrow();
  });

  it("node-check-report's targets are the registry's node targets", () => {
    const target = outputSchemas().get('node-check-report')!.properties as unknown as { target: { enum: string[] } };
    expect([...target.target.enum].sort()).toEqual(nodeTargets(BACKENDS).map((t) => t.id).sort());
  });

  it('nodes check --local --dry-run -o json: the command it would run', async () => {
    const r = await runCli(['nodes', 'check', '--local', '--dry-run', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expectOutputSchema('node-check-plan', plan);
    expect(plan.command.args).toEqual(expect.arrayContaining(['check']));
  });

  it('version -o json', async () => {
    const r = await runCli(['version', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expectOutputSchema('version', JSON.parse(r.stdout));
  });

  it('presets -o json and -o yaml: the same PresetCatalog', async () => {
    const [json, yaml] = await Promise.all([runCli(['presets', '-o', 'json']), runCli(['presets', '-o', 'yaml'])]);
    expect(json.exitCode, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expectOutputSchema('preset-catalog', doc);
    const { parse } = await import('yaml');
    expect(parse(yaml.stdout)).toEqual(doc);
  });

  it('nodes check --local -o json, a node with errors and one without', async () => {
    sb = await perTest.create({});
    for (const installed of [[], ['nfs-common', 'open-iscsi', 'cryptsetup', 'dmsetup']]) {
      const fx = new Fixture({ osRelease: UBUNTU, hostname: 'laptop', installed, active: ['iscsid'], loaded: ['iscsi_tcp', 'dm_crypt', 'nfs'], microk8s: true });
      const r = await sb.run(['nodes', 'check', '--local', '-o', 'json'], { env: { PATH: `${fx.bin}:${sb.env.PATH}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state } });
      expect(r.stdout, r.stderr).not.toBe('');
      const doc = JSON.parse(r.stdout);
      expect(doc.nodes[0].status).toBe(installed.length ? doc.nodes[0].status : 'error');
      expectOutputSchema('node-check-report', doc);
    }
  });

  it('a document that does not match is reported, every problem at once (the check can fail)', async () => {
    expect(() => expectOutputSchema('version', { apiVersion: 'v1', kind: 'Version' })).toThrow(/version output/);
    const doc = JSON.parse((await runCli(['recommend', '--nodes', '3', '--memory-gib', '8', '--disk-gib', '100', '-o', 'json'])).stdout);
    expectOutputSchema('storage-recommendation', doc);
    const { apiVersion: _dropped, ...noApiVersion } = doc;
    for (const broken of [noApiVersion, { ...doc, kind: 'Recommendation' }, { ...doc, extra: 1 }, { ...doc, candidates: [{ ...doc.candidates[0], verdict: 'great' }] }]) {
      expect(() => expectOutputSchema('storage-recommendation', broken)).toThrow(/storage-recommendation output/);
    }
  });
});
