/** What every operation is handed: the store, the clock, the settings and the shared caches. */
import type { Clock } from "./clock.ts";
import type { HashCost } from "./passwords.ts";
import type { Store } from "./store/index.ts";
import type { PoolKeys } from "./tokens.ts";
import type { Outbox } from "./outbox.ts";
import type { TriggerSettings } from "./triggers/runtime.ts";

export interface Settings {
  /** Region for new pool ids and the AWS-style issuer, e.g. `us-east-1`. */
  readonly region: string;
  /**
   * Base of the `iss` claim, without the pool id. `null`: the address the emulator listens on.
   * `{region}` is replaced by the pool's region, so `https://cognito-idp.{region}.amazonaws.com`
   * gives AWS's issuers.
   */
  readonly issuerBase: string | null;
  readonly hashCost: HashCost;
  /** The local handlers of the pools' LambdaConfig ARNs (triggers/runtime.ts); none when unset. */
  readonly triggers?: TriggerSettings;
}

export interface Context {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly outbox: Outbox;
  readonly keyCache: Map<string, PoolKeys>;
  /** The `iss` of the pool's tokens. */
  issuerOf(poolId: string): string;
}
