/**
 * `/admin/users/add`: the seeds' `add_fieldsets` — username, email, password and password
 * again — plus Django 5.1's choice of no local password (for people who only sign in through
 * Cognito), and the option to create the person in Cognito too (AdminCreateUser: Cognito makes
 * a temporary password and emails it; in development it lands in the emulator's outbox). Then,
 * as in Django, on to the change form for everything else.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { randomUUID } from "node:crypto";
import { CognitoFailure } from "../../accounts/cognito.ts";
import { emailProblem, fieldLimits, usernameProblem } from "../../accounts/forms.ts";
import { t } from "../../accounts/messages.ts";
import { newUserRow } from "../../accounts/users.ts";
import type { ViewContext } from "../../pages/view.ts";
import { notify, staffOfRequest, type Staff } from "../access.ts";
import { writeAudit } from "../audit.ts";
import { cognitoAdmin, describeFailure } from "../cognito-admin.ts";
import { Checkbox, Fieldset, FormErrorNote, Input, PostForm, Row } from "../components.tsx";
import { checked, fieldOf } from "../forms.ts";
import { BackofficeLayout } from "../layout.tsx";
import { say } from "../messages.ts";
import { passwordRulesHint, passwordWeaknesses } from "../password-validation.ts";
import { hashPassword } from "../passwords.ts";
import { emailTaken, usernameTaken } from "../queries.ts";

interface AddForm {
  readonly username: string;
  readonly email: string;
  readonly usablePassword: boolean;
  readonly createInCognito: boolean;
}

type Errors = Record<string, string>;

function AddUserPage({
  ctx,
  staff,
  form,
  errors = {},
  formError,
}: {
  ctx: ViewContext;
  staff: Staff;
  form: AddForm;
  errors?: Errors;
  formError?: string;
}) {
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <BackofficeLayout
      title="Add user"
      ctx={ctx}
      staff={staff}
      section="users"
      crumbs={[{ label: "Accounts" }, { label: "Users", href: "/admin/users" }, { label: "Add user" }]}
    >
      <h1>Add user</h1>
      <p class="text-body-secondary">
        First, enter a username and email address. Then you’ll be able to edit more user options.
      </p>
      {formError ? (
        <div class="alert alert-danger py-2 bo-message" role="alert" data-testid="form-error">
          {formError}
        </div>
      ) : (
        <FormErrorNote show={hasErrors} />
      )}
      <PostForm action="/admin/users/add" csrfToken={ctx.csrfToken}>
        <Fieldset title="Account">
          <Row
            label="Username"
            htmlFor="id_username"
            error={errors.username}
            help="Required. Letters, digits and symbols, no spaces; not an email address."
          >
            <Input
              name="username"
              value={form.username}
              error={errors.username}
              maxLength={fieldLimits.username}
              autocomplete="off"
              autofocus
              hasHelp
            />
          </Row>
          <Row label="Email address" htmlFor="id_email" error={errors.email}>
            <Input
              name="email"
              type="email"
              value={form.email}
              error={errors.email}
              maxLength={fieldLimits.email}
              autocomplete="off"
            />
          </Row>
        </Fieldset>
        <Fieldset title="Back-office password">
          <Row
            label="Password-based authentication"
            help="Whether the user can sign in to the back office with a local password. People who only use the site sign in through Cognito and need none."
          >
            <div class="form-check">
              <input
                class="form-check-input"
                type="radio"
                name="usable_password"
                id="id_usable_password_true"
                value="true"
                checked={form.usablePassword}
              />
              <label class="form-check-label" for="id_usable_password_true">
                Enabled
              </label>
            </div>
            <div class="form-check">
              <input
                class="form-check-input"
                type="radio"
                name="usable_password"
                id="id_usable_password_false"
                value="false"
                checked={!form.usablePassword}
              />
              <label class="form-check-label" for="id_usable_password_false">
                Disabled
              </label>
            </div>
          </Row>
          <Row label="Password" htmlFor="id_password1" error={errors.password1} help={passwordRulesHint}>
            <Input name="password1" type="password" error={errors.password1} autocomplete="new-password" hasHelp />
          </Row>
          <Row
            label="Password confirmation"
            htmlFor="id_password2"
            error={errors.password2}
            help="Enter the same password as before, for verification."
          >
            <Input name="password2" type="password" error={errors.password2} autocomplete="new-password" hasHelp />
          </Row>
        </Fieldset>
        <Fieldset title="Cognito">
          <Row label="Cognito account">
            <Checkbox
              name="cognito"
              checked={form.createInCognito}
              label="Also create this user in Cognito (AdminCreateUser). Cognito emails them a temporary password; they choose their own at first sign-in."
            />
          </Row>
        </Fieldset>
        <div class="bo-submit">
          <button type="submit" class="btn btn-sm btn-primary" name="_save" value="1">
            Save
          </button>
        </div>
      </PostForm>
    </BackofficeLayout>
  );
}

const addAccess = { backoffice: { anyOf: ["accounts.add_user"] } } as const;

export default async function userAddRoutes(app: FastifyInstance): Promise<void> {
  const db = app.database.db;
  const cognito = cognitoAdmin(app.cognito, app.config.cognito.userPoolId);

  app.get("/admin/users/add", { config: addAccess }, async (request, reply) =>
    reply.page(
      <AddUserPage
        ctx={reply.viewContext()}
        staff={staffOfRequest(request)}
        form={{ username: "", email: "", usablePassword: true, createInCognito: false }}
      />,
    ),
  );

  app.post(
    "/admin/users/add",
    { preHandler: app.csrfProtection, config: addAccess },
    async (request, reply): Promise<FastifyReply> => {
      const staff = staffOfRequest(request);
      const body = request.body;
      const form: AddForm = {
        username: fieldOf(body, "username").trim(),
        email: fieldOf(body, "email").trim(),
        usablePassword: fieldOf(body, "usable_password") !== "false",
        createInCognito: checked(body, "cognito"),
      };
      const password1 = fieldOf(body, "password1");
      const password2 = fieldOf(body, "password2");
      const show = (status: number, errors: Errors, formError?: string) =>
        reply
          .code(status)
          .page(
            <AddUserPage ctx={reply.viewContext()} staff={staff} form={form} errors={errors} formError={formError} />,
          );

      const errors: Errors = {};
      const usernameCode = usernameProblem(form.username);
      if (usernameCode) errors.username = t(usernameCode);
      else if (await usernameTaken(db, form.username)) errors.username = say("USERNAME_TAKEN");
      const emailCode = emailProblem(form.email);
      if (emailCode) errors.email = t(emailCode);
      else if (await emailTaken(db, form.email)) errors.email = say("EMAIL_TAKEN");
      if (form.usablePassword) {
        const weaknesses = passwordWeaknesses(password1, { username: form.username, email: form.email });
        if (weaknesses.length > 0) errors.password1 = weaknesses.join(" ");
        else if (password2 === "") errors.password2 = say("FIELD_REQUIRED");
        else if (password1 !== password2) errors.password2 = say("PASSWORDS_DIFFER");
      }
      if (Object.keys(errors).length > 0) return show(400, errors);

      const passwordHash = form.usablePassword ? await hashPassword(password1) : null;
      let sub: string | null = null;
      if (form.createInCognito) {
        try {
          sub = (await cognito.create(form.username, form.email)).sub;
        } catch (error) {
          if (!(error instanceof CognitoFailure)) throw error;
          request.log.info({ exception: error.exception }, "add user: Cognito refused AdminCreateUser");
          if (error.code === "USERNAME_EXISTS")
            return show(400, { username: "A Cognito user with that username already exists." });
          if (error.code === "EMAIL_EXISTS")
            return show(400, { email: "A Cognito user with that email address already exists." });
          const unavailable = error.code === "SERVICE_UNAVAILABLE" || error.code === "UNEXPECTED";
          return show(unavailable ? 503 : 400, {}, say("COGNITO_CREATE_FAILED", { detail: describeFailure(error) }));
        }
      }

      const id = randomUUID();
      const now = new Date().toISOString();
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto("users")
            .values(
              newUserRow(
                {
                  id,
                  username: form.username,
                  email: form.email,
                  email_verified: sub !== null,
                  cognito_sub: sub,
                  password_hash: passwordHash,
                  last_synced_at: sub ? now : null,
                },
                now,
              ),
            )
            .execute();
          await writeAudit(trx, {
            actorId: staff.user.id,
            action: "add",
            objectType: "user",
            objectId: id,
            objectRepr: form.username,
            message: sub ? "Added; created in Cognito." : "Added.",
          });
        });
      } catch (error) {
        // Someone took the username between the check and the insert: undo the Cognito half.
        if (sub) {
          await cognito.delete(form.username).catch((undo: unknown) => {
            request.log.error(
              { err: undo },
              "add user: could not remove the Cognito user after the local insert failed",
            );
          });
        }
        if (await usernameTaken(db, form.username)) return show(400, { username: say("USERNAME_TAKEN") });
        throw error;
      }
      notify(request, "success", sub ? "USER_ADDED_COGNITO" : "USER_ADDED", {
        username: form.username,
        email: form.email,
      });
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );
}
