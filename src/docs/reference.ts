/**
 * The command reference, generated from the command definitions themselves: one Markdown
 * page (docs/commands/) and one man page (docs/man/, roff) per command, so neither can drift
 * from what ships. `npm run docs` writes them (scripts/docs.mjs); a test regenerates them in
 * memory and fails when the files on disk differ.
 *
 * Deterministic on purpose: no date, no version (the pages change only when a command
 * does), no terminal width, the program always named k8s-storage.
 */
import { Help, type Command, type Option } from 'commander';
import { buildProgram } from '../cli.js';
import { Logger } from '../output/log.js';

export const COMMANDS_DIR = 'docs/commands';
export const MAN_DIR = 'docs/man';

interface Item {
  term: string;
  description: string;
}

interface Page {
  /** ['k8s-storage', 'render', 'pvc'] */
  path: string[];
  usage: string;
  description: string;
  arguments: Item[];
  /** Options under their help headings ("Options:", "Chart values:"). */
  optionGroups: { heading: string; items: Item[] }[];
  commands: (Item & { path: string[] })[];
  /** What `--help` prints after the option list: notes and examples. */
  after: string;
}

const help = new Help();

function afterHelp(cmd: Command): string {
  let text = '';
  // addHelpText('after', ...) registers a listener of this event: emit it to collect the text.
  (cmd as unknown as NodeJS.EventEmitter).emit('afterHelp', { error: false, command: cmd, write: (s: string) => void (text += s) });
  return text.replace(/^\n+|\s+$/g, '');
}

function page(cmd: Command, path: string[]): Page {
  const groups = new Map<string, Item[]>();
  for (const o of help.visibleOptions(cmd) as Option[]) {
    const heading = o.helpGroupHeading ?? 'Options:';
    groups.set(heading, [...(groups.get(heading) ?? []), { term: help.optionTerm(o), description: help.optionDescription(o) }]);
  }
  const subcommands = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  return {
    path,
    usage: help.commandUsage(cmd),
    description: help.commandDescription(cmd),
    arguments: help.visibleArguments(cmd).map((a) => ({ term: help.argumentTerm(a), description: help.argumentDescription(a) })),
    optionGroups: [...groups].map(([heading, items]) => ({ heading: heading.replace(/:$/, ''), items })),
    commands: subcommands.map((c) => ({ term: help.subcommandTerm(c), description: help.subcommandDescription(c), path: [...path, c.name()] })),
    after: afterHelp(cmd),
  };
}

function pages(program: Command): Page[] {
  const out: Page[] = [];
  const walk = (cmd: Command, path: string[]) => {
    out.push(page(cmd, path));
    for (const c of help.visibleCommands(cmd)) if (c.name() !== 'help') walk(c, [...path, c.name()]);
  };
  walk(program, ['k8s-storage']);
  return out;
}

// ---- Markdown ----
const mdFile = (path: string[]) => `${path.join('_')}.md`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const table = (head: [string, string], items: { term: string; description: string; link?: string }[]) =>
  [`| ${head[0]} | ${head[1]} |`, '| --- | --- |', ...items.map((i) => `| ${i.link ? `[\`${cell(i.term)}\`](${i.link})` : `\`${cell(i.term)}\``} | ${cell(i.description)} |`)].join('\n');

function markdown(p: Page, global: Page): string {
  const parts = [`# ${p.path.join(' ')}`, p.description, '```\n' + p.usage + '\n```'];
  if (p.arguments.length) parts.push('## Arguments', table(['Argument', 'Description'], p.arguments));
  for (const g of p.optionGroups) parts.push(`## ${g.heading}`, table(['Option', 'Description'], g.items));
  if (p.commands.length) parts.push('## Commands', table(['Command', 'Description'], p.commands.map((c) => ({ ...c, link: mdFile(c.path) }))));
  if (p.after) parts.push('## Notes and examples', '```\n' + p.after + '\n```');
  if (p !== global) parts.push(`Global options (\`--kubeconfig\`, \`--context\`, \`-n\`, \`-o\`, ...): see [k8s-storage](${mdFile(global.path)}).`);
  const parent = p.path.length > 1 ? p.path.slice(0, -1) : undefined;
  if (parent) parts.push(`Up: [${parent.join(' ')}](${mdFile(parent)})`);
  return `${parts.join('\n\n')}\n`;
}

// ---- man (roff) ----
const manName = (path: string[]) => path.join('-');
/** Roff text: backslashes and dashes escaped, no line starting with a control character. */
const roff = (s: string) =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
const tagged = (items: Item[]) => items.flatMap((i) => ['.TP', `.B ${roff(i.term)}`, roff(i.description)]);

function man(p: Page, global: Page): string {
  const name = manName(p.path);
  const lines = [`.TH "${name.toUpperCase()}" "1" "" "k8s-storage" "User Commands"`, '.SH NAME', `${roff(name)} \\- ${roff(p.description.split('\n')[0] ?? '')}`, '.SH SYNOPSIS', `.B ${roff(p.usage)}`, '.SH DESCRIPTION', roff(p.description)];
  if (p.arguments.length) lines.push('.SH ARGUMENTS', ...tagged(p.arguments));
  for (const g of p.optionGroups) lines.push(g.heading === 'Options' ? '.SH OPTIONS' : `.SS "${roff(g.heading)}"`, ...tagged(g.items));
  if (p !== global) lines.push('.SH GLOBAL OPTIONS', ...tagged(global.optionGroups.flatMap((g) => g.items)));
  if (p.commands.length) lines.push('.SH COMMANDS', ...p.commands.flatMap((c) => ['.TP', `.B ${roff(c.term)}`, `${roff(c.description)} (see \\fB${roff(manName(c.path))}\\fR(1))`]));
  if (p.after) lines.push('.SH NOTES AND EXAMPLES', '.nf', roff(p.after), '.fi');
  const related = [...(p.path.length > 1 ? [p.path.slice(0, -1)] : []), ...p.commands.map((c) => c.path)];
  if (related.length) lines.push('.SH SEE ALSO', related.map((r) => `\\fB${roff(manName(r))}\\fR(1)`).join(', '));
  return `${lines.join('\n')}\n`;
}

/** Every reference file, by path from the repository root. */
export function referenceFiles(): Record<string, string> {
  const program = buildProgram({ log: new Logger(), controller: new AbortController(), wants: () => true }, ['node', 'k8s-storage']).name('k8s-storage');
  const all = pages(program);
  const global = all[0]!;
  const files: Record<string, string> = {};
  for (const p of all) {
    files[`${COMMANDS_DIR}/${mdFile(p.path)}`] = markdown(p, global);
    files[`${MAN_DIR}/${manName(p.path)}.1`] = man(p, global);
  }
  return files;
}
