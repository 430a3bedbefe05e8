/**
 * The models of one kind of hardware (card readers, receipt printers), by kind name. Everything that depends
 * on which models exist asks the registry at the time it needs to know, so a model registered later (a plugin,
 * a test) is accepted by a config schema built before it, parsed from the command line and built.
 */
import { z } from 'zod';
import type { DriverDeps, HardwareModel, ModelConfig, ModelConfigInput } from './hardware-model.ts';

export interface ModelRegistryOptions {
  /** The main flag and the config section: 'reader', 'printer'. */
  flag: string;
  /** What it holds, for errors: 'card reader'. */
  noun: string;
  /** The kind a kiosk runs when its config names none. */
  defaultKind: string;
}

export class ModelRegistry<Driver> {
  readonly flag: string;
  readonly noun: string;
  readonly defaultKind: string;
  readonly #models = new Map<string, HardwareModel<ModelConfig, Driver>>();

  constructor(options: ModelRegistryOptions, models: readonly HardwareModel<ModelConfig, Driver>[] = []) {
    this.flag = options.flag;
    this.noun = options.noun;
    this.defaultKind = options.defaultKind;
    for (const model of models) this.register(model);
  }

  /**
   * Adds a model; returns what removes it again. Refuses a kind already registered, and a flag name another
   * model uses differently (an option of one that is a shortcut of another).
   */
  register<Config extends ModelConfig>(model: HardwareModel<Config, Driver>): () => void {
    if (this.#models.has(model.kind)) throw new Error(`${this.noun} kind '${model.kind}' is already registered`);
    const shortcuts = new Set(this.list().flatMap((m) => (m.flags.shortcuts ?? []).map((s) => s.name)));
    const options = new Set(this.list().flatMap((m) => (m.flags.options ?? []).map((o) => o.name)));
    for (const shortcut of model.flags.shortcuts ?? []) {
      if (shortcuts.has(shortcut.name) || options.has(shortcut.name) || shortcut.name === this.flag) throw new Error(`${this.noun} kind '${model.kind}': flag --${shortcut.name} is taken`);
    }
    for (const option of model.flags.options ?? []) {
      if (shortcuts.has(option.name) || option.name === this.flag) throw new Error(`${this.noun} kind '${model.kind}': flag --${option.name} is taken`);
    }
    // A model is stored with its config widened: get() hands it only configs its own schema has checked.
    const stored = model as unknown as HardwareModel<ModelConfig, Driver>;
    this.#models.set(model.kind, stored);
    return () => {
      if (this.#models.get(model.kind) === stored) this.#models.delete(model.kind);
    };
  }

  get(kind: string): HardwareModel<ModelConfig, Driver> | undefined {
    return this.#models.get(kind);
  }

  /** In registration order: the order of forms in help and errors. */
  list(): HardwareModel<ModelConfig, Driver>[] {
    return [...this.#models.values()];
  }

  kinds(): string[] {
    return [...this.#models.keys()];
  }

  /**
   * The schema of this config section: `kind` chooses the model, whose schema checks the rest. Looked up at
   * parse time, so it accepts models registered after it was built. Issues keep their paths (`reader.path`).
   */
  configSchema(): z.ZodType<ModelConfig, ModelConfigInput> {
    return z.looseObject({ kind: z.string() }).transform((value, ctx): ModelConfig => {
      const model = this.#models.get(value.kind);
      if (!model) {
        ctx.issues.push({ code: 'custom', path: ['kind'], input: value, message: `unknown ${this.noun} kind '${value.kind}' (known: ${this.kinds().join(', ')})` });
        return z.NEVER;
      }
      const parsed = model.schema.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: value } as never);
        return z.NEVER;
      }
      return parsed.data;
    });
  }

  /** Checks a config section (throws a ZodError naming what is wrong) and fills in its defaults. */
  parseConfig(config: unknown): ModelConfig {
    return this.configSchema().parse(config);
  }

  /** The driver for a config section: checked by its model's schema, then constructed (no I/O). */
  create(config: ModelConfigInput | ModelConfig, deps: DriverDeps): Driver {
    const checked = this.parseConfig(config);
    return this.#model(checked.kind).create(checked, deps);
  }

  /** Where the configured device is, for a technician. */
  describe(config: ModelConfigInput | ModelConfig): string {
    const checked = this.parseConfig(config);
    return this.#model(checked.kind).describe(checked);
  }

  #model(kind: string): HardwareModel<ModelConfig, Driver> {
    const model = this.#models.get(kind);
    if (!model) throw new Error(`unknown ${this.noun} kind '${kind}'`);
    return model;
  }
}
