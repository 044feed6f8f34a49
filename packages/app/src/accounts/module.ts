/**
 * The accounts module (Django's `accounts` app): registration, confirmation, sign-in and
 * recovery pages, the dashboard and the account page. Each route file is a Fastify plugin.
 */
import type { FastifyInstance } from "fastify";
import { passwordPolicy } from "./forms.ts";
import { accountLimiters } from "./rate-limits.ts";
import loginRoutes from "./routes/login.tsx";
import logoutRoutes from "./routes/logout.ts";
import newPasswordRoutes from "./routes/new-password.tsx";
import twoFactorRoutes from "./routes/two-factor.tsx";
import cognitoHookRoutes from "./routes/cognito-hooks.ts";
import hostedSignInRoutes from "./routes/hosted-sign-in.ts";
import { poolOptions } from "./pool-options.ts";
import { captcha } from "./captcha.ts";
import registerRoutes from "./routes/register.tsx";
import confirmRoutes from "./routes/confirm.tsx";
import recoveryRoutes from "./routes/recovery.tsx";
import dashboardRoutes from "../pages/dashboard.tsx";
import accountRoutes from "./routes/account.tsx";

export default async function accountsModule(app: FastifyInstance): Promise<void> {
  // Route files register themselves here, one line each.
  await app.register(passwordPolicy);
  await app.register(accountLimiters);
  await app.register(poolOptions);
  await app.register(captcha);
  await app.register(hostedSignInRoutes);
  await app.register(loginRoutes);
  await app.register(logoutRoutes);
  await app.register(newPasswordRoutes);
  await app.register(twoFactorRoutes);
  await app.register(registerRoutes);
  await app.register(confirmRoutes);
  await app.register(recoveryRoutes);
  await app.register(dashboardRoutes);
  await app.register(accountRoutes);
  await app.register(cognitoHookRoutes);
}
