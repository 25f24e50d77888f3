/**
 * Secrets (passwords, API keys) known to this process, so that nothing it prints shows them:
 * every line written to stdout/stderr and every dashboard payload passes through `redact`.
 * Registered when a connection is configured; per thread (worker output reaches the main
 * thread's stdout, which redacts).
 */
const secrets = new Set<string>();

/** Remembers a secret value (shorter than 4 characters: too likely to appear by chance). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** librdkafka properties that hold secrets (sasl.password, ssl.key.password, …client.secret). */
export function isSecretProperty(name: string): boolean {
  return /password|secret|(^|\.)pem$|ssl\.key\.pem|sasl\.oauthbearer\.config/i.test(name);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.replaceAll(s, '***');
  // user:password@ in a URL, whether or not that password was registered.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):[^/\s@]+@/gi, '$1:***@');
}

/** Makes every later write to stdout and stderr of this process go through `redact`. */
export function redactProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redact(chunk.toString()) : chunk,
        ...rest,
      )) as typeof stream.write;
  }
}
