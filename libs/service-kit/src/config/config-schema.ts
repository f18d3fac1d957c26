// The one place that reads environment variables (STYLE.md rule 8). A service declares what it
// needs as a schema of settings, each naming its variable and what a valid value is; reading
// checks every setting and fails start-up with one error listing every bad or missing variable.

/** An environment (process.env, or a map the embedded app or a test builds). */
export type Environment = Readonly<Record<string, string | undefined>>;

type Presence<T> = { kind: 'required' } | { kind: 'optional' } | { kind: 'default'; value: T };

export type SettingResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** One environment variable: its name, what it must look like, and whether it may be absent. */
export class Setting<T> {
  constructor(
    readonly variable: string,
    /** What a valid value is, for error messages: "an integer from 1 to 65535". */
    readonly expected: string,
    private readonly parse: (raw: string) => T | undefined,
    private readonly presence: Presence<T> = { kind: 'required' },
  ) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(variable)) throw new Error(`environment variable names are upper snake case, got "${variable}"`);
  }

  /** Absent (unset or empty) is allowed and reads as undefined. */
  optional(): Setting<T | undefined> {
    return new Setting<T | undefined>(this.variable, this.expected, this.parse, { kind: 'optional' });
  }

  /** Absent (unset or empty) reads as `value`. */
  default(value: T): Setting<T> {
    return new Setting<T>(this.variable, this.expected, this.parse, { kind: 'default', value });
  }

  read(environment: Environment): SettingResult<T> {
    const raw = environment[this.variable];
    // Kubernetes renders an unset optional secret or value as an empty string: same as unset.
    if (raw === undefined || raw.trim() === '') {
      if (this.presence.kind === 'default') return { ok: true, value: this.presence.value };
      if (this.presence.kind === 'optional') return { ok: true, value: undefined as T };
      return { ok: false, problem: `${this.variable} is required: expected ${this.expected}` };
    }
    const value = this.parse(raw.trim());
    if (value === undefined) return { ok: false, problem: `${this.variable} must be ${this.expected}, got ${JSON.stringify(raw)}` };
    return { ok: true, value };
  }
}

export interface IntOptions {
  min?: number;
  max?: number;
}

function integer(raw: string, min: number, max: number): number | undefined {
  if (!/^-?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** Setting constructors: `env.port('GRPC_PORT').default(50051)`, `env.url('RABBITMQ_URL', ['amqp:', 'amqps:']).optional()`. */
export const env = {
  string(variable: string, options: { pattern?: RegExp; description?: string } = {}): Setting<string> {
    const { pattern } = options;
    const expected = options.description ?? (pattern ? `a string matching ${pattern}` : 'a non-empty string');
    return new Setting(variable, expected, (raw) => (pattern && !pattern.test(raw) ? undefined : raw));
  },

  int(variable: string, options: IntOptions = {}): Setting<number> {
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const range =
      options.min !== undefined && options.max !== undefined
        ? ` from ${min} to ${max}`
        : options.min !== undefined
          ? ` of at least ${min}`
          : options.max !== undefined
            ? ` of at most ${max}`
            : '';
    return new Setting(variable, `an integer${range}`, (raw) => integer(raw, min, max));
  },

  /** A TCP port; 0 lets the service pick a free one (tests). */
  port(variable: string): Setting<number> {
    return new Setting(variable, 'a TCP port from 0 to 65535', (raw) => integer(raw, 0, 65535));
  },

  /** An absolute URL; `protocols` like `['postgres:', 'postgresql:']` restricts its scheme. */
  url(variable: string, protocols?: readonly string[]): Setting<string> {
    const expected = protocols ? `a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}` : 'an absolute URL';
    return new Setting(variable, expected, (raw) => {
      if (!URL.canParse(raw)) return undefined;
      return !protocols || protocols.includes(new URL(raw).protocol) ? raw : undefined;
    });
  },

  oneOf<const V extends string>(variable: string, values: readonly V[]): Setting<V> {
    return new Setting(variable, `one of ${values.join(', ')}`, (raw) => values.find((value) => value === raw));
  },

  /** true/false, 1/0, yes/no (any case). */
  boolean(variable: string): Setting<boolean> {
    return new Setting(variable, 'a boolean (true/false, 1/0, yes/no)', (raw) => {
      const value = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      return undefined;
    });
  },
};

export type ConfigSchema = Record<string, Setting<unknown>>;

export type ConfigValues<S extends ConfigSchema> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads every setting of `schema` from `environment`; throws ConfigError listing every problem. */
export function readConfig<S extends ConfigSchema>(schema: S, environment: Environment = process.env): ConfigValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(schema)) {
    const result = setting.read(environment);
    if (result.ok) values[key] = result.value;
    else problems.push(result.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as ConfigValues<S>;
}
