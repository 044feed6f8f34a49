/** Every operation the emulator answers, by its X-Amz-Target name. */
import { accountOperations } from "./account.ts";
import { adminUserOperations } from "./admin-users.ts";
import { authOperations } from "./auth.ts";
import { challengeOperations } from "./challenges.ts";
import { clientSecretOperations } from "./client-secrets.ts";
import { clientOperations } from "./clients.ts";
import { deviceOperations } from "./devices.ts";
import { domainOperations } from "./domains.ts";
import { groupOperations } from "./groups.ts";
import { identityProviderOperations } from "./identity-providers.ts";
import { importJobOperations } from "./import-jobs.ts";
import { managedLoginBrandingOperations } from "./managed-login-branding.ts";
import { mfaOperations } from "./mfa.ts";
import type { OperationTable } from "./operation.ts";
import { poolSettingOperations } from "./pool-settings.ts";
import { poolOperations } from "./pools.ts";
import { providerLinkOperations } from "./provider-links.ts";
import { recoveryOperations } from "./recovery.ts";
import { resourceServerOperations } from "./resource-servers.ts";
import { signingCertificateOperations } from "./signing-certificate.ts";
import { signUpOperations } from "./signup.ts";
import { tagOperations } from "./tags.ts";
import { termsOperations } from "./terms.ts";
import { tokenOperations } from "./tokens.ts";
import { userSettingOperations } from "./user-settings.ts";

export const operations: OperationTable = {
  ...poolOperations,
  ...clientOperations,
  ...clientSecretOperations,
  ...signUpOperations,
  ...recoveryOperations,
  ...accountOperations,
  ...authOperations,
  ...challengeOperations,
  ...tokenOperations,
  ...deviceOperations,
  ...adminUserOperations,
  ...groupOperations,
  ...mfaOperations,
  ...userSettingOperations,
  ...domainOperations,
  ...managedLoginBrandingOperations,
  ...termsOperations,
  ...resourceServerOperations,
  ...identityProviderOperations,
  ...providerLinkOperations,
  ...importJobOperations,
  ...signingCertificateOperations,
  ...tagOperations,
  ...poolSettingOperations,
};
