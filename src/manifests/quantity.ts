/**
 * Kubernetes resource quantities ("10Gi", "500M", "1.5Ti"), parsed the way the API server
 * does, with a suggestion for the usual mistakes ("10GB", "10gi", "10 Gi").
 */

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

const MULTIPLIER: Record<string, number> = {
  '': 1,
  n: 1e-9, u: 1e-6, m: 1e-3,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The number of bytes a quantity stands for, or undefined when it is not a quantity. */
export function quantityToBytes(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, num, suffix = ''] = m;
  const value = Number(num);
  // `E` (exa) and `Ei` (exbi) start like an exponent; only `e3`, `E-2`... are one.
  if (/^[eE][+-]?\d+$/.test(suffix)) return value * 10 ** Number(suffix.slice(1));
  return value * MULTIPLIER[suffix]!;
}

/** What the user probably meant by a size that is not a quantity ("10GB" -> "10Gi"). */
export function suggestQuantity(text: string): string | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const [, num, unit = ''] = m;
  const letter = unit.charAt(0).toUpperCase();
  if (!'KMGTPE'.includes(letter) || letter === '') return undefined;
  // GB, Gb, gb, gi, GiB, G B... all mean "gibibytes" to someone sizing a disk.
  if (/^[kmgtpe](i?b?|b)$/i.test(unit)) return `${num}${letter}i`;
  return undefined;
}

/** Problems with a storage size given by the user (empty when it is fine). */
export function sizeProblems(field: string, text: string | undefined): string[] {
  if (text === undefined || text === '') return [`${field}: a size is required, for example 10Gi`];
  const bytes = quantityToBytes(text);
  if (bytes === undefined) {
    const hint = suggestQuantity(text);
    return [`${field}: "${text}" is not a Kubernetes quantity${hint ? `; did you mean ${hint}?` : ' (use Mi, Gi or Ti, for example 10Gi)'}`];
  }
  if (bytes <= 0) return [`${field}: "${text}" must be greater than zero`];
  if (!Number.isInteger(bytes)) return [`${field}: "${text}" is a fraction of a byte; use a whole number of bytes, for example 500Mi`];
  return [];
}
