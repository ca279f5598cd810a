/** Kubernetes resource quantities, as far as RosterHub's spec uses them. */

const multipliers: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const quantityPattern = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The numeric value of a quantity (`"512Mi"` → 536870912, `"250m"` → 0.25); NaN if malformed. */
export function parseQuantity(quantity: string): number {
  const match = quantityPattern.exec(quantity);
  if (!match) return Number.NaN;
  return Number(match[1]) * (multipliers[match[2] ?? ''] ?? Number.NaN);
}

/** Whole GiB, rounded up, that hold the quantity (`"10Gi"` → 10, `"1500M"` → 2). */
export function toWholeGibibytes(quantity: string): number {
  return Math.ceil(parseQuantity(quantity) / 2 ** 30);
}
