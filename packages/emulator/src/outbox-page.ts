/** The outbox as a small page for a person reading codes during development. */
import type { OutboxMessage } from "./model.ts";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

export function outboxPage(messages: readonly OutboxMessage[]): string {
  const rows = messages
    .map(
      (m) => `<tr><td>${escapeHtml(m.createdAt.replace("T", " ").slice(0, 19))}</td><td>${escapeHtml(m.kind)}</td>
<td>${escapeHtml(m.username)}</td><td>${escapeHtml(m.destination)}</td><td>${escapeHtml(m.medium)}</td>
<td class="code">${escapeHtml(m.code)}${m.message ? `<div class="message">${m.subject ? `<strong>${escapeHtml(m.subject)}</strong><br>` : ""}${escapeHtml(m.message)}</div>` : ""}</td><td>${escapeHtml(m.poolId)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Outbox · Gatehouse Cognito emulator</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#212529}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem;border-bottom:1px solid #dee2e6}
th{background:#f8f9fa}.code{font:600 1.1rem ui-monospace,monospace;letter-spacing:.1em}.empty{color:#6c757d}
.message{font:400 .9rem/1.4 system-ui,sans-serif;letter-spacing:normal;white-space:pre-wrap;color:#495057}
@media (max-width:640px){td:nth-child(5),th:nth-child(5),td:nth-child(7),th:nth-child(7){display:none}}
</style></head><body>
<h1>Outbox</h1><p>Messages the emulator would have sent by e-mail or SMS, newest first. This page refreshes itself.
JSON at <a href="/_outbox">/_outbox</a>.</p>
<table><thead><tr><th>When (UTC)</th><th>Kind</th><th>Username</th><th>To</th><th>Medium</th><th>Code</th><th>Pool</th></tr></thead>
<tbody>${rows || '<tr><td colspan="7" class="empty">No messages yet.</td></tr>'}</tbody></table>
</body></html>`;
}
