/**
 * The pieces of the two-step pages: the code field (numeric keyboard on phones, the browser's
 * one-time-code autofill) and the set-up of an authenticator app — its QR code, drawn on the
 * server as SVG, and the same secret as text for typing in by hand.
 */
import { groupedSecret, totpDigits, totpPeriodSeconds, totpQrSvg, totpUri } from "./totp.ts";

/** The `code` input, `id_code`, marked invalid with its message when there is one. */
export function CodeField({
  error,
  label = "Code",
  autofocus = true,
}: {
  error?: string;
  label?: string;
  autofocus?: boolean;
}) {
  return (
    <div class="mb-3">
      <label class="form-label fw-semibold" for="id_code">
        {label}
      </label>
      <input
        class={`form-control bo-code${error ? " is-invalid" : ""}`}
        id="id_code"
        name="code"
        type="text"
        inputMode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9 ]*"
        maxLength={9}
        placeholder="123456"
        autofocus={autofocus}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "id_code-error" : undefined}
      />
      {error && (
        <div class="invalid-feedback d-block" id="id_code-error">
          {error}
        </div>
      )}
    </div>
  );
}

export interface AuthenticatorSetupProps {
  /** The base32 secret. */
  readonly secret: string;
  /** The QR code of the otpauth:// URI, as SVG markup from `totpQrSvg`. */
  readonly qrSvg: string;
  readonly issuer: string;
  readonly account: string;
}

/** The set-up of `secret` for `account`: its QR code drawn. */
export async function authenticatorSetupOf(
  secret: string,
  issuer: string,
  account: string,
): Promise<AuthenticatorSetupProps> {
  return { secret, issuer, account, qrSvg: await totpQrSvg(totpUri({ secret, issuer, account })) };
}

/** Steps 1 and 2 of a set-up: scan the code, or type the key; the page adds step 3, the code. */
export function AuthenticatorSetup({ secret, qrSvg, issuer, account }: AuthenticatorSetupProps) {
  return (
    <div class="bo-totp-setup">
      <div
        class="bo-qr"
        role="img"
        aria-label={`QR code for ${issuer}: ${account}`}
        data-testid="totp-qr"
        // The markup is qrcode's own SVG of a URI we built: no text of anyone's in it.
        dangerouslySetInnerHTML={{ __html: qrSvg }}
      />
      <ol class="bo-steps">
        <li>
          Open an authenticator app (for example Google Authenticator, Microsoft Authenticator, 1Password or Bitwarden)
          and scan the QR code.
        </li>
        <li>
          Can’t scan it? Add an account by hand with this key (time-based, {totpDigits} digits, every{" "}
          {totpPeriodSeconds} seconds):
          <div class="bo-secret font-monospace" data-testid="totp-secret" data-secret={secret}>
            {groupedSecret(secret)}
          </div>
          <div class="small text-body-secondary">
            Account: <strong>{account}</strong> · Issuer: <strong>{issuer}</strong>
          </div>
        </li>
        <li>Enter the {totpDigits}-digit code the app shows, to confirm it works.</li>
      </ol>
    </div>
  );
}
