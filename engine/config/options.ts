/**
 * Options: a spec per option (environment name, flag, kind, default, description), and one
 * loader that turns environment + flags into one validated, typed object. Flags win over the
 * environment, which wins over the defaults. Every error names the setting and what was expected.
 */
import { ConfigError } from '../errors/errors.js';

export interface OptionSpec<T> {
  /** Environment variable, e.g. KAFKA_BROKER ('' for a flag-only option). */
  env: string;
  /** Long flag without dashes, e.g. kafka-broker ('' for an environment-only option: secrets). */
  flag: string;
  description: string;
  default: T;
  /** Turns the raw text into a value; throws a message (without the setting's name) when invalid. */
  parse: (raw: string) => T;
  /** A boolean flag takes no value. */
  isSwitch?: boolean;
  /** Printed in --help instead of the default value (secrets, computed defaults). */
  shownDefault?: string;
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type ConfigOf<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends OptionSpec<infer V> ? V : never;
};

function integer(min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`expected a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(`expected a whole number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

function decimal(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`expected a number, got "${raw}"`);
    if (n < min || n > max) throw new ConfigError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export const opt = {
  int(
    env: string,
    flag: string,
    def: number,
    min: number,
    max: number,
    description: string,
  ): OptionSpec<number> {
    return { env, flag, description, default: def, parse: integer(min, max) };
  },
  num(
    env: string,
    flag: string,
    def: number,
    min: number,
    max: number,
    description: string,
  ): OptionSpec<number> {
    return { env, flag, description, default: def, parse: decimal(min, max) };
  },
  /** An optional whole number: undefined when not given. */
  optionalInt(
    env: string,
    flag: string,
    min: number,
    max: number,
    description: string,
  ): OptionSpec<number | undefined> {
    return { env, flag, description, default: undefined, parse: integer(min, max), shownDefault: '(none)' };
  },
  str(env: string, flag: string, def: string, description: string, pattern?: RegExp): OptionSpec<string> {
    return {
      env,
      flag,
      description,
      default: def,
      parse: (raw) => {
        if (raw === '') throw new ConfigError('expected a non-empty value');
        if (pattern && !pattern.test(raw))
          throw new ConfigError(`expected text matching ${pattern}, got "${raw}"`);
        return raw;
      },
    };
  },
  optionalStr(env: string, flag: string, description: string): OptionSpec<string | undefined> {
    return { env, flag, description, default: undefined, parse: (raw) => raw, shownDefault: '(none)' };
  },
  /** A secret: from the environment only (a flag would show in `ps`), never printed. */
  secret(env: string, description: string): OptionSpec<string | undefined> {
    return { env, flag: '', description, default: undefined, parse: (raw) => raw, shownDefault: '(none)' };
  },
  choice<C extends string>(
    env: string,
    flag: string,
    def: C,
    choices: readonly C[],
    description: string,
  ): OptionSpec<C> {
    return {
      env,
      flag,
      description: `${description} (${choices.join(' | ')})`,
      default: def,
      parse: (raw) => {
        if (!(choices as readonly string[]).includes(raw))
          throw new ConfigError(`expected one of ${choices.join(', ')}, got "${raw}"`);
        return raw as C;
      },
    };
  },
  bool(env: string, flag: string, def: boolean, description: string): OptionSpec<boolean> {
    return {
      env,
      flag,
      description,
      default: def,
      isSwitch: true,
      parse: (raw) => {
        const v = raw.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(v)) return true;
        if (['0', 'false', 'no', 'off'].includes(v)) return false;
        throw new ConfigError(`expected true or false, got "${raw}"`);
      },
    };
  },
  /** host:port[,host:port…] as librdkafka's bootstrap.servers takes it. */
  brokers(env: string, flag: string, def: string, description: string): OptionSpec<string> {
    return {
      env,
      flag,
      description,
      default: def,
      parse: (raw) => {
        const parts = raw.split(',').map((s) => s.trim());
        for (const p of parts) {
          if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(p)) {
            throw new ConfigError(`expected host:port[,host:port...], got "${raw}"`);
          }
        }
        return parts.join(',');
      },
    };
  },
  url(env: string, flag: string, def: string, description: string): OptionSpec<string> {
    return {
      env,
      flag,
      description,
      default: def,
      parse: (raw) => {
        let u: URL;
        try {
          u = new URL(raw);
        } catch {
          throw new ConfigError(`expected a URL such as http://127.0.0.1:9200, got "${raw}"`);
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') {
          throw new ConfigError(`expected an http:// or https:// URL, got "${raw}"`);
        }
        return raw.replace(/\/+$/, '');
      },
    };
  },
};

function settingName(spec: OptionSpec<unknown>, from: 'flag' | 'env'): string {
  return from === 'flag' || !spec.env ? `--${spec.flag}` : spec.env;
}

/**
 * Parses `args` (flags only: subcommand already removed) and `env` against `specs`.
 * Unknown flags and malformed values raise a ConfigError naming the setting.
 */
export function loadOptions<S extends OptionSpecs>(
  specs: S,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { config: ConfigOf<S>; rest: string[] } {
  const byFlag = new Map<string, [string, OptionSpec<unknown>]>();
  for (const [key, spec] of Object.entries(specs)) if (spec.flag) byFlag.set(spec.flag, [key, spec]);

  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const raw = spec.env ? env[spec.env] : undefined;
    if (raw === undefined || raw === '') {
      out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (e) {
      throw new ConfigError(`invalid setting ${settingName(spec, 'env')}: ${(e as Error).message}`);
    }
  }

  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let negated = false;
    if (!byFlag.has(name) && name.startsWith('no-') && byFlag.get(name.slice(3))?.[1].isSwitch) {
      name = name.slice(3);
      negated = true;
    }
    const entry = byFlag.get(name);
    if (!entry) {
      throw new ConfigError(`unknown option --${name} (see --help for the options of this command)`);
    }
    const [key, spec] = entry;
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.isSwitch) raw = negated ? 'false' : 'true';
    else {
      if (i + 1 >= args.length) throw new ConfigError(`option --${name} needs a value`);
      raw = args[++i];
    }
    try {
      out[key] = spec.parse(raw);
    } catch (e) {
      throw new ConfigError(`invalid setting --${name}: ${(e as Error).message}`);
    }
  }
  return { config: out as ConfigOf<S>, rest };
}

/** `option | description | default` lines for --help (docs/configuration.md is generated by config/reference.ts). */
export function describeOptions(specs: OptionSpecs): string {
  const rows = Object.values(specs).map((s) => {
    const names = [s.flag && `--${s.flag}${s.isSwitch ? '' : ' <v>'}`, s.env].filter(Boolean).join(', ');
    const def = s.shownDefault ?? (s.default === undefined ? '' : String(s.default));
    return [names, s.description, def] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows
    .map(([n, d, def]) => `  ${n.padEnd(w)}  ${d}${def !== '' ? ` [default: ${def}]` : ''}`)
    .join('\n');
}

/** librdkafka properties from the environment: RDKAFKA_SASL_MECHANISMS=PLAIN → sasl.mechanisms (RDKAFKA_FILE_*: files, config/kafka.ts). */
export function rdkafkaPropsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    // RDKAFKA_FILE_<NAME> names a file holding the property (config/kafka.ts).
    if (k.startsWith('RDKAFKA_') && !k.startsWith('RDKAFKA_FILE_') && v !== undefined)
      props[k.slice(8).toLowerCase().replaceAll('_', '.')] = v;
  }
  return props;
}
