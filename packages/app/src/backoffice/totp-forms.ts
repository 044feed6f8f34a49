/** Reading the `code` field of the two-step forms, and what a refused code says. */
import { fieldOf } from "./forms.ts";
import { say, type BackofficeMessage } from "./messages.ts";
import type { CodeVerdict } from "./staff-totp.ts";
import { normaliseTotpCode } from "./totp.ts";

/** The code a form sent in `code`, or what its field says when that cannot be one (not counted as a try). */
export function codeFieldOf(body: unknown): { readonly code: string } | { readonly error: string } {
  const raw = fieldOf(body, "code");
  if (raw.trim() === "") return { error: say("FIELD_REQUIRED") };
  const code = normaliseTotpCode(raw);
  return code ? { code } : { error: say("MFA_CODE_FORMAT") };
}

/** What a refused code says. */
export const refusedCodeMessages: Readonly<Record<Exclude<CodeVerdict, "ok" | "off">, BackofficeMessage>> = {
  wrong: "MFA_CODE_INCORRECT",
  used: "MFA_CODE_USED",
  unreadable: "MFA_UNREADABLE",
};
