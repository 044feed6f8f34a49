/**
 * CPU cost of the emulator's password work, measured in this process on its own core: one
 * scrypt verification is what a USER_PASSWORD_AUTH sign-in pays; a SignUp pays one scrypt hash
 * plus one SRP verifier (a 3072-bit modular exponentiation). The issue caps a sign-in's hashing
 * at 2 ms of CPU with the default cost.
 */
import { defaultHashCost, hashPassword, verifyPassword } from "../../packages/emulator/src/passwords.ts";
import { makeVerifier } from "../../packages/emulator/src/srp.ts";

export interface HashCostResult {
  readonly log2N: number;
  readonly r: number;
  readonly samples: number;
  /** CPU ms (user+system, all threads: scrypt runs on libuv's pool) per call. */
  readonly hashCpuMs: number;
  readonly verifyCpuMs: number;
  readonly srpVerifierCpuMs: number;
  /** What SignUp pays for password work: hash + SRP verifier. */
  readonly signUpCpuMs: number;
}

async function cpuPerCall(samples: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, samples); i++) await work();
  const before = process.cpuUsage();
  for (let i = 0; i < samples; i++) await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / samples;
}

export async function measureHashCost(samples = 200): Promise<HashCostResult> {
  const password = "Bench-Passw0rd!";
  const stored = await hashPassword(password, defaultHashCost);
  const hashCpuMs = await cpuPerCall(samples, () => hashPassword(password, defaultHashCost));
  const verifyCpuMs = await cpuPerCall(samples, async () => {
    if (!(await verifyPassword(password, stored))) throw new Error("verifyPassword refused the right password");
  });
  const srpVerifierCpuMs = await cpuPerCall(samples, () => makeVerifier("us-east-1_BenchPool", "user", password));
  return {
    log2N: defaultHashCost.log2N,
    r: defaultHashCost.r,
    samples,
    hashCpuMs,
    verifyCpuMs,
    srpVerifierCpuMs,
    signUpCpuMs: hashCpuMs + srpVerifierCpuMs,
  };
}
