/**
 * Helm's rules for values, for every chart we install (Longhorn, csi-driver-nfs, OpenEBS):
 * merging the user's `-f` files and reading `--set` flags the way Helm does. Pure and offline.
 */
import { parseAllDocuments } from 'yaml';

/** Any Helm values document: a YAML mapping at the top. */
export type ValuesDocument = { [key: string]: unknown };

// ---------------------------------------------------------------------------------------------
// Merging (-f files), with Helm's rules

export function isValuesMap(v: unknown): v is ValuesDocument {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function cloneValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneValue);
  if (isValuesMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneValue(x)]));
  return v;
}

function mergeInto(target: ValuesDocument, overlay: ValuesDocument): void {
  for (const [key, value] of Object.entries(overlay)) {
    const current = target[key];
    if (isValuesMap(value) && isValuesMap(current)) mergeInto(current, value);
    else target[key] = cloneValue(value);
  }
}

/**
 * Deep merge with Helm's rules: maps merge key by key, lists and scalars replace, later overlays
 * win. A `null` replaces the value and stays in the result as `key: null`: when Helm reads the
 * rendered file it deletes the key, including the chart's own default, which dropping the key
 * here would bring back (e.g. `persistence.defaultClass: null` must not revive the chart's `true`).
 * The inputs are not modified.
 */
export function mergeValues(base: object, ...overlays: object[]): ValuesDocument {
  if (!isValuesMap(base)) throw new TypeError('mergeValues: the base values must be a mapping');
  const result = cloneValue(base) as ValuesDocument;
  for (const overlay of overlays) {
    if (!isValuesMap(overlay)) throw new TypeError('mergeValues: an overlay must be a mapping');
    mergeInto(result, overlay);
  }
  return result;
}

/**
 * Reads a user values file (`-f`). YAML 1.1, as Helm reads it: `yes`, `on` and `y` are booleans.
 * `source` names the file in problems.
 */
export function parseValuesYaml(text: string, source: string): { values: ValuesDocument; problems: string[] } {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const problems: string[] = [];
  for (const doc of docs) {
    // The first line of a message names the line and column; the rest is a source excerpt.
    for (const e of doc.errors) problems.push(`${source}: ${e.message.split('\n')[0]}`);
  }
  if (problems.length > 0) return { values: {}, problems };
  const contents = docs.filter((d) => d.contents !== null);
  if (contents.length > 1) return { values: {}, problems: [`${source}: holds ${contents.length} YAML documents; a values file is one mapping`] };
  const data: unknown = contents[0]?.toJS({ maxAliasCount: 1000 }) ?? {};
  if (data === null) return { values: {}, problems: [] };
  if (!isValuesMap(data)) return { values: {}, problems: [`${source}: the top level must be a mapping of values (key: value), not ${Array.isArray(data) ? 'a list' : typeof data}`] };
  return { values: data, problems: [] };
}

// ---------------------------------------------------------------------------------------------
// --set, as Helm's strvals parser reads it

/** Helm refuses list indexes above this (strvals MaxIndex), so that `a[99999999]=x` cannot eat memory. */
const MAX_SET_INDEX = 65536;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class SetSyntaxError extends Error {}

class SetScanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** Reads up to (and consumes) the first unescaped stop character; `\x` stands for x. */
  until(stops: string): { value: string; stop: string | undefined } {
    let value = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (stops.includes(c)) return { value, stop: c };
      if (c === '\\') {
        if (this.pos >= this.text.length) throw new SetSyntaxError('ends with a lone backslash');
        value += this.text[this.pos++]!;
      } else {
        value += c;
      }
    }
    return { value, stop: undefined };
  }
}

/** Helm's typing of an unquoted --set value. */
export function typedSetValue(text: string): unknown {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (text === '0') return 0;
  // Helm parses an int64 only when the text does not start with 0: "0755" stays a string.
  if (/^[+-]?\d+$/.test(text) && !text.startsWith('0')) {
    const n = BigInt(text);
    if (n >= INT64_MIN && n <= INT64_MAX) return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  return text;
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  while (list.length <= index) list.push(null);
  list[index] = value;
  return list;
}

class SetParser {
  constructor(private readonly sc: SetScanner) {}

  parse(data: ValuesDocument): void {
    while (!this.sc.done) this.key(data);
  }

  /** Reads one `key...=value` assignment into `data`; false when the input ended first. */
  private key(data: ValuesDocument): boolean {
    const { value: k, stop } = this.sc.until('=[,.');
    if (stop !== undefined && k === '') throw new SetSyntaxError(`a key is empty before '${stop}'`);
    switch (stop) {
      case undefined:
        if (k !== '') throw new SetSyntaxError(`key "${k}" has no value (expected ${k}=VALUE)`);
        return false;
      case ',':
        throw new SetSyntaxError(`key "${k}" has no value before ','`);
      case '=':
        data[k] = this.value();
        return true;
      case '[': {
        const index = this.index();
        const current = data[k];
        data[k] = this.listItem(Array.isArray(current) ? current : [], index, k);
        return true;
      }
      default: {
        // '.': the key names a map; the rest of the path goes inside it.
        const current = data[k];
        const inner: ValuesDocument = isValuesMap(current) ? current : {};
        if (!this.key(inner)) throw new SetSyntaxError(`key "${k}" has no value`);
        data[k] = inner;
        return true;
      }
    }
  }

  private index(): number {
    const { value, stop } = this.sc.until(']');
    if (stop === undefined) throw new SetSyntaxError(`list index "[${value}" is not closed with ']'`);
    if (!/^\d+$/.test(value)) throw new SetSyntaxError(`"${value}" is not a list index (a whole number from 0)`);
    const index = Number(value);
    if (index > MAX_SET_INDEX) throw new SetSyntaxError(`list index ${index} is above Helm's maximum of ${MAX_SET_INDEX}`);
    return index;
  }

  private listItem(list: unknown[], index: number, key: string): unknown[] {
    const { value: extra, stop } = this.sc.until('[.=');
    if (extra !== '') throw new SetSyntaxError(`unexpected "${extra}" after ${key}[${index}]`);
    switch (stop) {
      case '=':
        return setIndex(list, index, this.value());
      case '[': {
        const next = this.index();
        const current = list[index];
        return setIndex(list, index, this.listItem(Array.isArray(current) ? current : [], next, `${key}[${index}]`));
      }
      case '.': {
        const current = list[index];
        const inner: ValuesDocument = isValuesMap(current) ? current : {};
        if (!this.key(inner)) throw new SetSyntaxError(`${key}[${index}] has no value`);
        return setIndex(list, index, inner);
      }
      default:
        throw new SetSyntaxError(`${key}[${index}] has no value`);
    }
  }

  /** After '=': `{a,b}` is a list, anything else a typed scalar up to the next ','. */
  private value(): unknown {
    if (this.sc.peek() !== '{') return typedSetValue(this.sc.until(',').value);
    this.sc.pos++;
    const list: unknown[] = [];
    for (;;) {
      const { value, stop } = this.sc.until(',}');
      if (stop === undefined) throw new SetSyntaxError("a list must end with '}'");
      if (stop === '}') {
        // Helm turns `{}` into [""]; an empty list is what anyone typing it means.
        if (!(value === '' && list.length === 0)) list.push(typedSetValue(value));
        if (this.sc.peek() === ',') this.sc.pos++;
        else if (!this.sc.done) throw new SetSyntaxError(`unexpected "${this.sc.text.slice(this.sc.pos)}" after '}'`);
        return list;
      }
      list.push(typedSetValue(value));
    }
  }
}

/**
 * Parses one `--set` argument (`a.b=c`, `a[0]=x`, `a\.b=c`, `a=1,b=2`, `a={x,y}`) into `into`
 * (a fresh document by default), typing values like Helm: true/false, integers, null, else strings.
 */
export function parseSetFlag(flag: string, into: ValuesDocument = {}): { values: ValuesDocument; problems: string[] } {
  try {
    new SetParser(new SetScanner(flag)).parse(into);
    return { values: into, problems: [] };
  } catch (e) {
    if (e instanceof SetSyntaxError) return { values: into, problems: [`--set "${flag}": ${e.message}`] };
    throw e;
  }
}

/**
 * Applies `--set` flags in order on top of `values`, as Helm does after the -f files: straight
 * into the document, so `a[1]=x` changes one item of an existing list. `values` is not modified.
 */
export function applySetFlags(values: object, sets: readonly string[]): { values: ValuesDocument; problems: string[] } {
  const result = mergeValues(values);
  const problems = sets.flatMap((flag) => parseSetFlag(flag, result).problems);
  return { values: result, problems };
}

