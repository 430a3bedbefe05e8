/**
 * A kiosk's hardware: which card reader and receipt printer it drives, its paper width and receipt language.
 * The schema of that config section, the kiosk's flags for it (`memberkiosk device --reader … --printer …
 * --paper … --language …`) and their help all come from the registered models.
 */
import { z } from 'zod';
import type { CardReader } from '../card-reader/types.ts';
import type { ReceiptPrinter } from '../printer/types.ts';
import { sayChoices, type ModelConfig, type ModelConfigInput } from './hardware-model.ts';
import { FlagError, flagHelpLines, flagSynopsis, readRegistryFlags, registryFlagSpecs, type FlagSpec, type FlagValues } from './model-flags.ts';
import type { ModelRegistry } from './model-registry.ts';

export interface HardwareRegistries {
  readers: ModelRegistry<CardReader>;
  printers: ModelRegistry<ReceiptPrinter>;
}

const PAPER_WIDTHS = ['58', '80'] as const;
const LANGUAGES = ['zh', 'en'] as const;

export interface HardwareSection {
  reader: ModelConfig;
  printer: ModelConfig;
  /** 58 mm: 32 columns, 80 mm: 48. */
  paperWidthMm: 58 | 80;
  language: 'zh' | 'en';
}

export interface HardwareSectionInput {
  reader?: ModelConfigInput | undefined;
  printer?: ModelConfigInput | undefined;
  paperWidthMm?: 58 | 80 | undefined;
  language?: 'zh' | 'en' | undefined;
}

/** The section's schema; reader and printer are checked by the schema of the model their kind names. */
export function hardwareSectionSchema(registries: HardwareRegistries): z.ZodType<HardwareSection, HardwareSectionInput> {
  return z.object({
    reader: registries.readers.configSchema().prefault({ kind: registries.readers.defaultKind }),
    printer: registries.printers.configSchema().prefault({ kind: registries.printers.defaultKind }),
    paperWidthMm: z.union([z.literal(58), z.literal(80)]).default(58),
    // zh-CN first: the chains are Chinese; English is the second language, chosen per kiosk.
    language: z.enum(LANGUAGES).default('zh'),
  });
}

/** The kiosk's hardware flags, in the order the help lists them. */
export function hardwareFlagSpecs(registries: HardwareRegistries): FlagSpec[] {
  return [
    ...registryFlagSpecs(registries.readers, 'kiosk'),
    ...registryFlagSpecs(registries.printers, 'kiosk'),
    { name: 'paper', type: 'string', value: '58|80', help: 'receipt paper width in mm: 58 (default) | 80' },
    { name: 'language', type: 'string', value: 'zh|en', help: 'receipt language: zh (default) | en' },
  ];
}

/** The synopsis (continued lines start with `indent`) and one help line per flag, for a command's usage. */
export function hardwareFlagHelp(registries: HardwareRegistries, indent = ''): { synopsis: string; lines: string[] } {
  const specs = hardwareFlagSpecs(registries);
  return { synopsis: flagSynopsis(specs, indent), lines: flagHelpLines(specs) };
}

/** The flags → the section (what is not given is left to the schema's defaults). Throws FlagError. */
export function readHardwareFlags(registries: HardwareRegistries, values: FlagValues): HardwareSectionInput {
  const section: HardwareSectionInput = {};
  const reader = readRegistryFlags(registries.readers, values, 'kiosk');
  if (reader) section.reader = reader;
  const printer = readRegistryFlags(registries.printers, values, 'kiosk');
  if (printer) section.printer = printer;
  const paper = values.paper;
  if (typeof paper === 'string') {
    if (!(PAPER_WIDTHS as readonly string[]).includes(paper)) throw new FlagError(`--paper is ${sayChoices(PAPER_WIDTHS)}, not '${paper}'`);
    section.paperWidthMm = paper === '58' ? 58 : 80;
  }
  const language = values.language;
  if (typeof language === 'string') {
    if (language !== 'zh' && language !== 'en') throw new FlagError(`--language is ${sayChoices(LANGUAGES)}, not '${language}'`);
    section.language = language;
  }
  return section;
}
