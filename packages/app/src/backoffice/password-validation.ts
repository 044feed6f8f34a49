/**
 * Checks for the local passwords of back-office staff, after Django's AUTH_PASSWORD_VALIDATORS:
 * a minimum length, not similar to the username or email, not a common password, not all
 * digits. Every reason is returned (not only the first), so the form and `createsuperuser` can
 * say everything that is wrong at once.
 * https://docs.djangoproject.com/en/5.1/topics/auth/passwords/#module-django.contrib.auth.password_validation
 */

/**
 * Staff accounts can change every user, so their passwords are held to more than the usual
 * eight characters (NIST SP 800-63B asks for longer ones where a password is the only factor).
 */
export const minimumPasswordLength = 12;
const maximumPasswordLength = 256;

/**
 * The most common passwords of published breach corpora (the head of Django's
 * common-passwords list). Compared case-insensitively, without surrounding spaces.
 */
const commonPasswords = new Set(
  `123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
  monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman
  1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster
  soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars
  klaster 112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777
  pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme
  matthew access yankees 987654321 dallas austin thunder taylor matrix minecraft welcome welcome1 password1
  password123 passw0rd p@ssw0rd p@ssword admin admin123 administrator root changeme letmein1 qwerty123
  qwerty1 iloveyou1 abc12345 1q2w3e4r 1q2w3e4r5t 1qazxsw2 zaq12wsx q1w2e3r4 q1w2e3r4t5y6 aa123456 123abc
  secret secret123 default guest test test123 testing demo login hello hello123 whatever football1
  correcthorsebatterystaple correct-horse-battery-staple password1234 password12345 passwordpassword
  qwertyuiop123 1234567890123 123456789012 111111111111 000000000000 administrator1 superuser superuser123
  gatehouse gatehouse123 cognito amazon amazon123`
    .split(/\s+/)
    .filter(Boolean),
);

export interface PasswordContext {
  readonly username?: string;
  readonly email?: string;
}

/** Ratio of matching characters (2·LCS / total length), like difflib's SequenceMatcher. */
function similarity(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, current[j - 1] ?? 0);
    }
    previous = current;
  }
  return (2 * (previous[b.length] ?? 0)) / (a.length + b.length);
}

/**
 * Is `password` too close to `value` or one of its parts (Django's 0.7 similarity), or does it
 * contain the whole name (an email's local part) of four characters or more?
 */
function tooSimilar(password: string, value: string): boolean {
  const candidate = password.toLowerCase();
  const whole = value.toLowerCase();
  const name = whole.split("@")[0] ?? whole;
  if (name.length >= 4 && candidate.includes(name)) return true;
  const parts = [whole, ...whole.split(/[\W_]+/u)].filter((part) => part.length >= 3);
  return parts.some((part) => similarity(candidate, part) >= 0.7);
}

/**
 * Every reason `password` is refused, in words a person can act on; empty when it is accepted.
 *
 * @example
 *   passwordWeaknesses("12345", { username: "ada" });
 *   // ["This password is too short. It must contain at least 12 characters.",
 *   //  "This password is too common.", "This password is entirely numeric."]
 */
export function passwordWeaknesses(password: string, context: PasswordContext = {}): string[] {
  if (password === "") return ["This field is required."];
  const reasons: string[] = [];
  const length = [...password].length;
  if (length > maximumPasswordLength) return [`Use at most ${maximumPasswordLength} characters.`];
  if (length < minimumPasswordLength) {
    reasons.push(`This password is too short. It must contain at least ${minimumPasswordLength} characters.`);
  }
  if (context.username && tooSimilar(password, context.username)) {
    reasons.push("The password is too similar to the username.");
  } else if (context.email && tooSimilar(password, context.email)) {
    reasons.push("The password is too similar to the email address.");
  }
  if (commonPasswords.has(password.trim().toLowerCase())) reasons.push("This password is too common.");
  if (/^\d+$/u.test(password)) reasons.push("This password is entirely numeric.");
  return reasons;
}

/** The rules in one sentence, for the hint under a new-password field. */
export const passwordRulesHint =
  `At least ${minimumPasswordLength} characters; not similar to the username or email address, ` +
  "not a commonly used password, and not entirely numeric.";
