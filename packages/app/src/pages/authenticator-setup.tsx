/**
 * What a person needs to add this site to an authenticator app: the QR code (drawn on the
 * server as SVG, see backoffice/totp.ts) and the same secret as text for typing in by hand, with
 * the issuer and account name the app will show.
 */
import { groupedSecret, totpQrSvg, totpUri } from "../backoffice/totp.ts";

export interface AuthenticatorSetupProps {
  readonly secret: string;
  readonly issuer: string;
  readonly account: string;
  /** The QR code's SVG (from `authenticatorQr`). */
  readonly qrSvg: string;
}

/** The SVG of the QR code of `secret` for `account` under `issuer`. */
export const authenticatorQr = (secret: string, issuer: string, account: string): Promise<string> =>
  totpQrSvg(totpUri({ secret, issuer, account }));

export function AuthenticatorSetup({ secret, issuer, account, qrSvg }: AuthenticatorSetupProps) {
  return (
    <div class="d-flex flex-column flex-sm-row gap-3 align-items-center align-items-sm-start mb-3">
      <div
        class="totp-qr border rounded bg-white p-1 flex-shrink-0"
        role="img"
        aria-label={`QR code to add ${account} at ${issuer} to an authenticator app`}
        data-testid="totp-qr"
        // The library's SVG: paths only, nothing a person typed.
        dangerouslySetInnerHTML={{ __html: qrSvg }}
      />
      <div class="small">
        <ol class="ps-3 mb-2">
          <li>Open your authenticator app (1Password, Google Authenticator, Microsoft Authenticator…).</li>
          <li>Scan the QR code, or add an account by hand with this key:</li>
        </ol>
        <code class="d-inline-block fs-6 user-select-all text-break" data-testid="totp-secret">
          {groupedSecret(secret)}
        </code>
        <p class="text-body-secondary mt-2 mb-0">
          It appears as “{issuer}: {account}”. Then enter the 6-digit code it shows.
        </p>
      </div>
    </div>
  );
}
