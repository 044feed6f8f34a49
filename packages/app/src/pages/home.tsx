/** The public landing page. */
import type { FastifyInstance } from "fastify";
import { Layout } from "./layout.tsx";
import type { ViewContext } from "./view.ts";

function Home({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout title="Welcome" ctx={ctx}>
      <div class="row align-items-center g-5 py-md-4">
        <div class="col-lg-7">
          <h1 class="display-5 fw-bold lh-sm mb-3">Sign-in that is done right, from day one.</h1>
          <p class="lead text-body-secondary mb-4">
            Accounts, email confirmation, password recovery and a REST API secured by Amazon Cognito — ready for your
            product.
          </p>
          <div class="d-flex flex-wrap gap-2">
            {ctx.user ? (
              <a class="btn btn-primary btn-lg px-4" href="/dashboard">
                Go to your dashboard
              </a>
            ) : (
              <>
                {ctx.allowSignup && (
                  <a class="btn btn-primary btn-lg px-4" href="/register">
                    Create an account
                  </a>
                )}
                <a class="btn btn-outline-secondary btn-lg px-4" href="/login">
                  Sign in
                </a>
              </>
            )}
          </div>
        </div>
        <div class="col-lg-5">
          <div class="card border-0 shadow-sm">
            <div class="card-body p-4">
              <h2 class="h5 mb-3">What you get</h2>
              <ul class="list-unstyled mb-0 d-grid gap-2">
                <li>✓ Registration with email confirmation</li>
                <li>✓ Sign-in by username or email</li>
                <li>✓ Password reset and change</li>
                <li>✓ Sign out of every device</li>
                <li>✓ Your data in your own database</li>
              </ul>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}

export default async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get("/", async (_request, reply) => reply.page(<Home ctx={reply.viewContext()} />));
}
