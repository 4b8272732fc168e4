// Money as the read API returns it: sums of DOUBLE PRECISION amounts, rounded to cents for display.

export function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}
