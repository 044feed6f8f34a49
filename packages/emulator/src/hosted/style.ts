/**
 * The hosted pages' stylesheets: Bootstrap 5 from the `bootstrap` package, read once, and a
 * few rules of our own (kept here rather than in a .css file so that the compiled emulator
 * carries them without a copy step).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let bootstrapCss: Buffer | null = null;

/** bootstrap.min.css, from the installed `bootstrap` package. */
export function bootstrapStylesheet(): Buffer {
  if (bootstrapCss === null) {
    const root = dirname(createRequire(import.meta.url).resolve("bootstrap/package.json"));
    bootstrapCss = readFileSync(join(root, "dist", "css", "bootstrap.min.css"));
  }
  return bootstrapCss;
}

export const hostedStylesheet = `
.hosted-body {
  min-height: 100vh;
  background:
    radial-gradient(circle at 15% 0%, rgba(13, 110, 253, 0.10), transparent 45%),
    radial-gradient(circle at 85% 100%, rgba(111, 66, 193, 0.08), transparent 40%),
    var(--bs-tertiary-bg);
}
.hosted-main {
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  justify-content: center;
  align-items: center;
  padding: 2rem 1rem;
}
.hosted-card {
  width: 100%;
  max-width: 26rem;
  border-radius: 1rem;
}
.hosted-brand {
  display: flex;
  align-items: center;
  gap: 0.5rem;
  font-size: 1.05rem;
}
.hosted-mark {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  width: 2rem;
  height: 2rem;
  border-radius: 0.6rem;
  color: #fff;
  background: linear-gradient(135deg, var(--bs-primary), #6f42c1);
  font-size: 0.9rem;
}
.hosted-card a {
  text-decoration: none;
  font-weight: 500;
}
.hosted-card a:hover,
.hosted-card a:focus-visible {
  text-decoration: underline;
}
.hosted-card h1 {
  font-weight: 600;
  letter-spacing: -0.01em;
}
.hosted-code {
  text-align: center;
  font-family: var(--bs-font-monospace);
  font-size: 1.5rem;
  letter-spacing: 0.4em;
}
.hosted-choice {
  display: flex;
  justify-content: space-between;
  align-items: center;
}
.hosted-secret {
  font-size: 0.95rem;
  letter-spacing: 0.08em;
  word-break: normal;
  overflow-wrap: break-word;
  color: var(--bs-body-color);
}
.hosted-footer {
  max-width: 26rem;
}
@media (max-width: 420px) {
  .hosted-main { justify-content: flex-start; padding-top: 1.5rem; }
  .hosted-card .card-body { padding: 1.5rem !important; }
}
`;
