/**
 * Input rewrites: where a moto test starts with a call AWS itself would refuse, the rewritten
 * run replaces that input with a valid one so the rest of the test still measures the emulator.
 * Each names the test, the exact text replaced inside that test's function (the runner fails if
 * it is not there, so a change in moto's file is noticed), and the AWS fact that makes moto's
 * input invalid.
 */
export interface Rewrite {
  readonly test: string;
  readonly from: string;
  readonly to: string;
  /** What AWS does with moto's input, from the API reference or the Developer Guide. */
  readonly fact: string;
  /** Replace every occurrence in the test (default: exactly one must be there). */
  readonly all?: boolean;
}

export const rewrites: readonly Rewrite[] = [];
