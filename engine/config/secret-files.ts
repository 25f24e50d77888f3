/**
 * Settings whose value may live in a file (CA certificates, passwords, API keys): read once at
 * start, a missing or empty file a ConfigError naming the setting, secrets registered for redaction.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/errors.js';
import { registerSecret } from './secrets.js';

export function readSetting(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      `invalid setting ${setting}: cannot read ${path} (${(e as NodeJS.ErrnoException).code})`,
    );
  }
}

/** The secret itself, from the environment or from its file (one trailing newline dropped). */
export function secretOf(
  value: string | undefined,
  file: string | undefined,
  setting: string,
): string | undefined {
  if (value !== undefined && file !== undefined)
    throw new ConfigError(`invalid settings: give ${setting} or ${setting}_FILE, not both`);
  const v = file !== undefined ? readSetting(file, `${setting}_FILE`).replace(/\r?\n$/, '') : value;
  if (v !== undefined && v.length === 0)
    throw new ConfigError(`invalid setting ${setting}_FILE: ${file} is empty`);
  registerSecret(v);
  return v;
}
