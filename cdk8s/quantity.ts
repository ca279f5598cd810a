/** Kubernetes resource quantities, as far as RosterHub's spec uses them. */

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const decimal: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const quantityPattern = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|m|k|M|G|T|P)?$/;

/** The numeric value of a quantity (`"512Mi"` → 536870912, `"250m"` → 0.25); NaN if malformed. */
export function parseQuantity(quantity: string): number {
  const match = quantityPattern.exec(quantity);
  if (!match) return Number.NaN;
  const [, amount, suffix] = match;
  const factor = suffix === undefined ? 1 : (binary[suffix] ?? decimal[suffix] ?? Number.NaN);
  return Number(amount) * factor;
}

/** Whole GiB, rounded up, that hold the quantity (`"10Gi"` → 10, `"1500M"` → 2). */
export function toWholeGibibytes(quantity: string): number {
  return Math.ceil(parseQuantity(quantity) / 2 ** 30);
}
