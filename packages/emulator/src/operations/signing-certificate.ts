/**
 * GetSigningCertificate: the pool's SAML 2.0 signing certificate, base64 of its DER encoding
 * (signing-certificate.ts makes and keeps it).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetSigningCertificate.html
 */
import { signingCertificateOf } from "../signing-certificate.ts";
import { shape } from "../shapes.ts";
import { requirePool, userPoolId } from "./common.ts";
import { defineOperation } from "./operation.ts";

export const signingCertificateOperations = {
  GetSigningCertificate: defineOperation(shape.structure({ UserPoolId: userPoolId }), async (ctx, request) => {
    const pool = requirePool(ctx, request.UserPoolId);
    return { Certificate: await signingCertificateOf(ctx, pool.id) };
  }),
};
