/**
 * The CDK app: `cd infra && npx aws-cdk deploy` (cdk.json runs this file). The account and
 * region are those of the caller's AWS credentials (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION).
 */
import { App } from "aws-cdk-lib";
import { GatehousePoolStack } from "../src/pool-stack.ts";

const app = new App();
new GatehousePoolStack(app, "GatehousePool", {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: "The Cognito user pool, app clients and groups Gatehouse expects (infra/src/pool-definition.ts).",
});
app.synth();
