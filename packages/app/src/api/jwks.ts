/**
 * Fetching the user pool's key set for `aws-jwt-verify`: its default fetcher speaks only https,
 * and the emulator serves `/<pool>/.well-known/jwks.json` over plain http on loopback. This one
 * uses `fetch`, allows http only where the settings allow it (loopback, the emulator's host),
 * never follows redirects, gives up after a few seconds, and fetches at most once per interval,
 * so tokens with made-up `kid`s cannot make us hammer Cognito.
 *
 * With `maxWaitMs` (the verifier gives it the interval) a request within the interval is held
 * back rather than refused while the last fetch worked:
 * when Cognito rotates its keys, the first tokens of the new key may come moments after our
 * last fetch (start-up, the hourly refresh), and refusing them would turn a rotation into
 * outright 401s until the interval ends (issue 12, "no false refusals"). They wait for the next
 * slot instead, and the concurrent ones share that one fetch (SimpleJwksCache's in-flight
 * promise). While Cognito cannot be reached (the last fetch failed) nothing waits: tokens are
 * refused at once, so requests do not pile up behind an outage. Made-up kids cost no wait
 * either once a fetch has shown them missing (aws-jwt-verify's penalty box, access-tokens.ts).
 * https://github.com/awslabs/aws-jwt-verify#loading-the-jwks-from-file-or-using-a-custom-fetcher
 */
import { setTimeout as sleep } from "node:timers/promises";
import { FetchError, JwksValidationError, NonRetryableFetchError } from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { assertIsJwks, type Jwks } from "aws-jwt-verify/jwk";
import { safeJsonParse } from "aws-jwt-verify/safe-json-parse";
import { isTrustedJwksUrl } from "../config.ts";

/** Real key sets hold a handful of keys (~1 KB each). */
const maxJwksBytes = 256 * 1024;

export interface JwksFetcherOptions {
  /** The emulator's URL: its host may serve the key set over http. */
  readonly endpoint: string | null;
  /** At most one request to the key set per this many ms (the first one is never held back). */
  readonly minIntervalMs: number;
  /**
   * How long a request may wait for the next slot after a fetch that worked; longer, it is
   * refused at once. Default 0: never wait.
   */
  readonly maxWaitMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export class GuardedJwksFetcher implements Fetcher {
  readonly #options: JwksFetcherOptions;
  /** When the last request was (or, while one waits for its slot, will be) sent. */
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #lastSucceeded = false;
  /** Requests actually sent, for health checks and tests. */
  requests = 0;

  constructor(options: JwksFetcherOptions) {
    this.#options = options;
  }

  async fetch(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (!isTrustedJwksUrl(url, this.#options.endpoint)) {
      throw new NonRetryableFetchError(uri, "the key set must be fetched over https");
    }
    const now = (this.#options.now ?? Date.now)();
    const slot = this.#lastAttempt + this.#options.minIntervalMs;
    if (now < slot) {
      const waitMs = slot - now;
      if (!this.#lastSucceeded || waitMs > (this.#options.maxWaitMs ?? 0)) {
        throw new FetchError(uri, "the key set was fetched moments ago; not again yet");
      }
      // Taken now, so that whoever comes next waits for the slot after this one.
      this.#lastAttempt = slot;
      await sleep(waitMs);
    } else {
      this.#lastAttempt = now;
    }
    this.requests += 1;
    this.#lastSucceeded = false;
    const body = await this.#send(uri, url);
    this.#lastSucceeded = true;
    return body;
  }

  async #send(uri: string, url: URL): Promise<ArrayBuffer> {
    const response = await fetch(url, {
      redirect: "error",
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(uri, `status ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > maxJwksBytes) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(uri, "the key set is too large");
    }
    const body = await response.arrayBuffer();
    if (body.byteLength > maxJwksBytes) throw new NonRetryableFetchError(uri, "the key set is too large");
    return body;
  }
}

/** aws-jwt-verify's own parsing (UTF-8, prototype-safe JSON, JWKS shape), then `onKeys`. */
export function jwksParser(onKeys: (jwks: Jwks) => void): (body: ArrayBuffer) => Jwks {
  return (body) => {
    let parsed: unknown;
    try {
      parsed = safeJsonParse(new TextDecoder("utf8", { fatal: true, ignoreBOM: true }).decode(body));
    } catch (error) {
      throw new JwksValidationError(`JWKS could not be parsed as JSON: ${String(error)}`);
    }
    assertIsJwks(parsed as Parameters<typeof assertIsJwks>[0]);
    const jwks = parsed as Jwks;
    onKeys(jwks);
    return jwks;
  };
}
