/**
 * What a pool created through the API looks like when a setting is left out, as
 * DescribeUserPool reports it; and the standard attributes every pool's schema starts with.
 */
import type { PasswordPolicy, SchemaAttribute } from "../model.ts";

export const defaultPasswordPolicy: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

const text = (Name: string, Mutable = true, Required = false, MaxLength = "2048"): SchemaAttribute => ({
  Name,
  AttributeDataType: "String",
  DeveloperOnlyAttribute: false,
  Mutable,
  Required,
  StringAttributeConstraints: { MinLength: "0", MaxLength },
});
const flag = (Name: string): SchemaAttribute => ({
  Name,
  AttributeDataType: "Boolean",
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});

export const standardAttributes: readonly SchemaAttribute[] = [
  text("sub", false, true, "2048"),
  text("name"),
  text("given_name"),
  text("family_name"),
  text("middle_name"),
  text("nickname"),
  text("preferred_username"),
  text("profile"),
  text("picture"),
  text("website"),
  text("email"),
  flag("email_verified"),
  text("gender"),
  text("birthdate", true, false, "10"),
  text("zoneinfo"),
  text("locale"),
  text("phone_number"),
  flag("phone_number_verified"),
  text("address"),
  {
    Name: "updated_at",
    AttributeDataType: "Number",
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: "0" },
  },
  {
    Name: "identities",
    AttributeDataType: "String",
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    StringAttributeConstraints: {},
  },
];

export const standardAttributeNames: ReadonlySet<string> = new Set(standardAttributes.map((a) => a.Name));
