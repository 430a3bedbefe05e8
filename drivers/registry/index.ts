/**
 * The driver registry: every card reader and receipt printer model, and what is derived from them — the
 * kiosk's `hardware` config schema, its command-line flags and their help, and the drivers built from a config.
 *
 * Adding a model: write the driver (drivers/card-reader/ or drivers/printer/), describe it in a file under that
 * folder's models/ (kind, zod schema, flag forms, options and shortcuts, describe, create) and list it in
 * models/index.ts. Nothing outside drivers/ changes. A model can also be registered at run time
 * (`cardReaders.register(model)`, which returns the function that removes it again).
 */
import { READER_MODELS } from '../card-reader/models/index.ts';
import type { CardReader } from '../card-reader/types.ts';
import { PRINTER_MODELS } from '../printer/models/index.ts';
import type { ReceiptPrinter } from '../printer/types.ts';
import { hardwareSectionSchema, type HardwareRegistries } from './hardware-section.ts';
import { ModelRegistry } from './model-registry.ts';

export { FlagValueError, choiceOption, defineModel, positiveIntegerOption, sayChoices } from './hardware-model.ts';
export type { DriverDeps, FlagForm, FlagOption, FlagShortcut, HardwareModel, ModelConfig, ModelConfigInput, ModelFlags } from './hardware-model.ts';
export { FlagError, flagHelpLines, flagSynopsis, parseArgsOptions, readRegistryFlags, registryFlagSpecs } from './model-flags.ts';
export type { FlagSpec, FlagSurface, FlagValues } from './model-flags.ts';
export { hardwareFlagHelp, hardwareFlagSpecs, hardwareSectionSchema, readHardwareFlags } from './hardware-section.ts';
export type { HardwareRegistries, HardwareSection, HardwareSectionInput } from './hardware-section.ts';
export { ModelRegistry } from './model-registry.ts';

export const cardReaders = new ModelRegistry<CardReader>({ flag: 'reader', noun: 'card reader', defaultKind: 'simulated' }, READER_MODELS);
export const receiptPrinters = new ModelRegistry<ReceiptPrinter>({ flag: 'printer', noun: 'printer', defaultKind: 'simulated' }, PRINTER_MODELS);

/** The registries a kiosk and the technician tools use. */
export const hardwareRegistries: HardwareRegistries = { readers: cardReaders, printers: receiptPrinters };

/** The kiosk's `hardware` config section; accepts models registered after it was built. */
export const hardwareConfigSchema = hardwareSectionSchema(hardwareRegistries);
