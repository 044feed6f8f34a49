/**
 * The account page's two-step verification, with the person's own access token:
 * - `/account/mfa/totp`: set up an authenticator app (AssociateSoftwareToken, then
 *   VerifySoftwareToken with its first code, then SetUserMFAPreference);
 * - turning a factor off asks for the password, and for the authenticator a current code too,
 *   both proven by a fresh sign-in that answers the SOFTWARE_TOKEN_MFA challenge (Cognito has no
 *   other way to check a code of a verified authenticator); its tokens are revoked at once;
 * - email codes on and off, and which factor is asked first.
 * A pool that requires MFA (ON) keeps at least one factor on.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserMFAPreference.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticatorQr } from "../../pages/authenticator-setup.tsx";
import type { CognitoTokens, MfaFactor } from "../../plugins/session-types.ts";
import { CognitoFailure, codeResponseKey, type FactorPreference, type MfaSettings } from "../cognito.ts";
import { fieldOf, normalizeCode, type Errors } from "../forms.ts";
import { t, type MessageCode } from "../messages.ts";
import { flash, tokensOf } from "../session-auth.ts";
import { revokeTokens } from "../sign-in.ts";
import { formFailure, messageOf, userOf } from "./account-common.ts";
import { TotpSetupPage, type SecurityForm } from "./account-security-view.tsx";
import type { FormState, SectionId } from "./account-views.tsx";

export interface AccountMfaOptions {
  readonly showAccount: (
    request: FastifyRequest,
    reply: FastifyReply,
    status?: number,
    forms?: Partial<Record<SectionId, FormState>>,
    securityForm?: SecurityForm,
  ) => Promise<FastifyReply>;
}

/** SetUserMFAPreference's member of each factor the site manages. */
const preferenceKey = { SOFTWARE_TOKEN_MFA: "totp", EMAIL_OTP: "email" } as const;
type ManagedFactor = keyof typeof preferenceKey;
const isManaged = (factor: string): factor is ManagedFactor => factor in preferenceKey;

export default async function accountMfaRoutes(app: FastifyInstance, { showAccount }: AccountMfaOptions) {
  const cognito = app.cognitoGateway;
  const back = "/account#security";

  /** A code check or a password proof costs a try: a few per person, as at sign-in. */
  const tryLimit = app.rateLimit({
    max: 10,
    timeWindow: "15 minutes",
    keyGenerator: (request) => `account-mfa:${request.session.get("userId") ?? request.ip}`,
  });

  /** The signed-in person's tokens, or the account page saying this account cannot change it here. */
  const tokensFor = (request: FastifyRequest): CognitoTokens => {
    const tokens = tokensOf(request);
    if (!tokens) throw new CognitoFailure("NO_COGNITO_ACCOUNT", "NoTokens", "", null);
    return tokens;
  };

  const settingsOf = (request: FastifyRequest): Promise<MfaSettings> =>
    cognito.mfaSettings(tokensFor(request).accessToken);

  const setPreference = (request: FastifyRequest, factor: ManagedFactor, preference: FactorPreference) =>
    cognito.setMfaPreference(tokensFor(request).accessToken, { [preferenceKey[factor]]: preference });

  /** Would turning `factor` off leave an account of a pool that requires MFA with none? */
  const lastRequiredFactor = async (settings: MfaSettings, factor: MfaFactor): Promise<boolean> => {
    const pool = await app.poolSignInOptions();
    return pool.mfa === "ON" && settings.enabled.filter((f) => f !== factor && pool.factors.includes(f)).length === 0;
  };

  /**
   * Proves the password (and, with `totpCode`, a current authenticator code) by signing in
   * afresh; the tokens that sign-in yields are revoked. Null when proven, else the field errors.
   */
  const proveItIsYou = async (request: FastifyRequest, password: string, totpCode?: string): Promise<Errors | null> => {
    const { username } = userOf(request);
    try {
      let outcome = await cognito.signIn(username, password);
      if (totpCode !== undefined) {
        if (outcome.kind === "challenge" && outcome.step.name === "SELECT_MFA_TYPE") {
          outcome = await cognito.respond("SELECT_MFA_TYPE", outcome.username, outcome.session, {
            ANSWER: "SOFTWARE_TOKEN_MFA",
          });
        }
        if (outcome.kind !== "challenge" || outcome.step.name !== "SOFTWARE_TOKEN_MFA") {
          return { code: t("MFA_CODE_WRONG") };
        }
        outcome = await cognito.respond("SOFTWARE_TOKEN_MFA", outcome.username, outcome.session, {
          [codeResponseKey.SOFTWARE_TOKEN_MFA]: totpCode,
        });
      }
      if (outcome.kind === "signed-in") await revokeTokens(request, outcome.tokens, "a step-up sign-in");
      return null;
    } catch (error) {
      if (!(error instanceof CognitoFailure)) throw error;
      if (error.code === "INCORRECT_CREDENTIALS") return { current_password: t("CURRENT_PASSWORD_WRONG") };
      if (error.code === "CODE_MISMATCH") return { code: t("MFA_CODE_WRONG") };
      throw formFailure(request, error, "proving the password for a two-step change");
    }
  };

  const showSetup = async (
    request: FastifyRequest,
    reply: FastifyReply,
    secret: string,
    status = 200,
    errors?: Errors,
  ) => {
    const issuer = app.config.totpIssuer;
    const account = userOf(request).username;
    return reply
      .code(status)
      .page(
        <TotpSetupPage
          ctx={reply.viewContext()}
          setup={{ secret, issuer, account, qrSvg: await authenticatorQr(secret, issuer, account) }}
          errors={errors}
        />,
      );
  };

  /** Shows a Cognito failure on the section's `form`. */
  const failed = (
    request: FastifyRequest,
    reply: FastifyReply,
    form: SecurityForm["form"],
    error: unknown,
    action: string,
  ) => showAccount(request, reply, 400, {}, { form, formError: messageOf(formFailure(request, error, action)) });

  app.get("/account/mfa/totp", async (request, reply) => {
    if (!(await app.poolSignInOptions()).factors.includes("SOFTWARE_TOKEN_MFA")) return reply.redirect(back, 303);
    try {
      // A new secret each visit: one shown before and never verified is worth nothing.
      const { secret } = await cognito.associateSoftwareToken({ accessToken: tokensFor(request).accessToken });
      request.session.set("pendingTotpSecret", secret);
      return await showSetup(request, reply, secret);
    } catch (error) {
      return failed(request, reply, "totp-off", error, "starting an authenticator setup");
    }
  });

  app.post("/account/mfa/totp", { preHandler: [app.csrfProtection, tryLimit] }, async (request, reply) => {
    const secret = request.session.get("pendingTotpSecret");
    if (!secret) {
      flash(request, "warning", "TOTP_SETUP_EXPIRED");
      return reply.redirect("/account/mfa/totp", 303);
    }
    const code = normalizeCode(fieldOf(request.body, "code"));
    if (code === null) return showSetup(request, reply, secret, 400, { code: t("MFA_CODE_INVALID") });
    try {
      const tokens = tokensFor(request);
      await cognito.verifySoftwareToken({ accessToken: tokens.accessToken }, code, "Authenticator app");
      const { preferred } = await settingsOf(request);
      await setPreference(request, "SOFTWARE_TOKEN_MFA", { enabled: true, preferred: preferred === null });
    } catch (error) {
      if (error instanceof CognitoFailure && error.code === "CODE_MISMATCH") {
        return showSetup(request, reply, secret, 400, { code: t("MFA_CODE_WRONG") });
      }
      return failed(request, reply, "totp-off", error, "verifying a new authenticator");
    }
    request.session.set("pendingTotpSecret", undefined);
    flash(request, "success", "TOTP_ENABLED");
    return reply.redirect(back, 303);
  });

  /** Turns `factor` off once the person has proven it is them; `withCode` asks an authenticator code too. */
  const turnOff = async (request: FastifyRequest, reply: FastifyReply, factor: ManagedFactor, withCode: boolean) => {
    const form = factor === "SOFTWARE_TOKEN_MFA" ? "totp-off" : "email-off";
    const show = (errors: Errors, formError?: MessageCode) =>
      showAccount(request, reply, 400, {}, { form, errors, formError: formError && t(formError) });
    const password = fieldOf(request.body, "current_password");
    const typed = fieldOf(request.body, "code");
    const code = normalizeCode(typed);
    const errors: Errors = {};
    if (password === "") errors.current_password = t("FIELD_REQUIRED");
    if (withCode && code === null) errors.code = typed.trim() === "" ? t("FIELD_REQUIRED") : t("MFA_CODE_INVALID");
    if (Object.keys(errors).length > 0) return show(errors);
    try {
      const settings = await settingsOf(request);
      if (await lastRequiredFactor(settings, factor)) return show({}, "MFA_REQUIRED_BY_POOL");
      // The proof answers the authenticator's challenge: it must be the one asked first.
      const preferEmail = withCode && settings.preferred === "EMAIL_OTP";
      if (preferEmail) await setPreference(request, "SOFTWARE_TOKEN_MFA", { enabled: true, preferred: true });
      const refused = await proveItIsYou(request, password, withCode ? (code ?? "") : undefined);
      if (refused) {
        if (preferEmail) await setPreference(request, "EMAIL_OTP", { enabled: true, preferred: true });
        return show(refused);
      }
      await setPreference(request, factor, { enabled: false, preferred: false });
      const other = settings.enabled.find((f): f is ManagedFactor => f !== factor && isManaged(f));
      if (other) await setPreference(request, other, { enabled: true, preferred: true });
    } catch (error) {
      return failed(request, reply, form, error, "turning a second step off");
    }
    flash(request, "success", factor === "SOFTWARE_TOKEN_MFA" ? "TOTP_DISABLED" : "EMAIL_MFA_DISABLED");
    return reply.redirect(back, 303);
  };

  app.post("/account/mfa/totp/disable", { preHandler: [app.csrfProtection, tryLimit] }, (request, reply) =>
    turnOff(request, reply, "SOFTWARE_TOKEN_MFA", true),
  );
  app.post("/account/mfa/email/disable", { preHandler: [app.csrfProtection, tryLimit] }, (request, reply) =>
    turnOff(request, reply, "EMAIL_OTP", false),
  );

  app.post("/account/mfa/email/enable", { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!userOf(request).emailVerified) {
      return showAccount(request, reply, 400, {}, { form: "email-on", formError: t("EMAIL_MFA_NEEDS_VERIFIED_EMAIL") });
    }
    try {
      const { preferred } = await settingsOf(request);
      await setPreference(request, "EMAIL_OTP", { enabled: true, preferred: preferred === null });
    } catch (error) {
      return failed(request, reply, "email-on", error, "turning email codes on");
    }
    flash(request, "success", "EMAIL_MFA_ENABLED");
    return reply.redirect(back, 303);
  });

  app.post("/account/mfa/preferred", { preHandler: app.csrfProtection }, async (request, reply) => {
    const factor = fieldOf(request.body, "factor");
    try {
      const { enabled } = await settingsOf(request);
      if (!isManaged(factor) || !enabled.includes(factor)) {
        return showAccount(request, reply, 400, {}, { form: "preferred", formError: t("FORM_HAS_ERRORS") });
      }
      await setPreference(request, factor, { enabled: true, preferred: true });
    } catch (error) {
      return failed(request, reply, "preferred", error, "choosing the preferred second step");
    }
    flash(request, "success", "MFA_PREFERRED");
    return reply.redirect(back, 303);
  });
}
