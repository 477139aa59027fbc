/**
 * YAML that kubectl and Helm read back as we meant it. They parse with Go's YAML (1.1 with
 * Go's number syntax): `yes`, `on` and `1:20` are not strings there, so we write YAML 1.1,
 * whose printer quotes those; and a plain scalar that Go's strconv takes for a number is a
 * number there too, though YAML 1.1 and 1.2 have it as a string: `0o17`, `0B101`, `-0o7`,
 * `0X1F`, `1e3`. Such strings are quoted as well.
 */
import { Document, isScalar, visit } from 'yaml';

const OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * Strings a YAML 1.1 or 1.2 reader, or Go's (strconv.ParseInt with base 0 after dropping
 * underscores, or its float pattern), resolves to a number.
 */
const NUMBER_LIKE = [
  /^[-+]?0[bB][01_]+$/, // binary
  /^[-+]?0[oO][0-7_]+$/, // 1.2 octal
  /^[-+]?0[xX][0-9a-fA-F_]+$/, // hex, any case
  /^[-+]?[0-9][0-9_]*$/, // decimal (and 1.1 octal 017), underscores allowed
  /^[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/, // floats, with or without a dot
  /^[-+]?\.(inf|Inf|INF)$/,
  /^\.(nan|NaN|NAN)$/,
];

export function looksLikeNumber(text: string): boolean {
  return NUMBER_LIKE.some((re) => re.test(text));
}

/** One YAML document for `value`, with number-like strings quoted. */
export function toYaml(value: unknown): string {
  const doc = new Document(value, OPTIONS);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && looksLikeNumber(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(OPTIONS);
}
