/**
 * The proof-of-work check of a form (accounts/captcha.ts): ALTCHA's widget, served from this
 * site (its script, worker and stylesheet; no inline styles, no third party), solving the
 * page's challenge as soon as the page loads. It needs its own script only; without scripts
 * the person is told why the form cannot be sent.
 */
import type { FieldErrors } from "./components.tsx";

declare module "preact" {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      "altcha-widget": {
        challengejson: string;
        name: string;
        auto?: "onload" | "onfocus" | "onsubmit";
        hidelogo?: boolean;
        strings?: string;
        "aria-describedby"?: string;
      };
    }
  }
}

/** The widget's words, in the site's voice. */
const strings = JSON.stringify({
  label: "I am not a robot",
  verifying: "Checking…",
  verified: "Checked",
  error: "The check failed. Try again.",
  expired: "The check expired. Try again.",
  footer: "A check that you are a person, made in your browser",
});

export function CaptchaField({ challenge, errors = {} }: { challenge: string | null; errors?: FieldErrors }) {
  if (challenge === null) return null;
  const error = errors.altcha;
  return (
    <div class="mb-3 captcha">
      <link rel="stylesheet" href="/static/altcha/altcha.css" />
      <script type="module" src="/static/altcha/altcha.js" />
      <altcha-widget
        challengejson={challenge}
        name="altcha"
        auto="onload"
        hidelogo
        strings={strings}
        aria-describedby={error ? "field-altcha-error" : undefined}
      />
      <noscript>
        <div class="form-text text-danger">
          This form checks that you are a person in your browser: turn on JavaScript to send it.
        </div>
      </noscript>
      {error && (
        <div class="invalid-feedback d-block" id="field-altcha-error">
          {error}
        </div>
      )}
    </div>
  );
}
