/**
 * Which card reader and receipt printer this kiosk drives, as part of the device config. The schema is the
 * driver registry's (drivers/registry/): `reader` and `printer` are checked by the schema of the model their
 * `kind` names, so every model registered there is accepted here. The default is the simulated pair, so the
 * demo and `npm start` need no hardware.
 */
import { hardwareConfigSchema as registryHardwareSchema, type HardwareSection, type HardwareSectionInput, type ModelConfig, type ModelConfigInput } from '../../drivers/registry/index.ts';

export const hardwareConfigSchema = registryHardwareSchema;

export type ReaderConfig = ModelConfig;
export type PrinterConfig = ModelConfig;
export type ReaderConfigInput = ModelConfigInput;
export type PrinterConfigInput = ModelConfigInput;
export type HardwareConfigInput = HardwareSectionInput;
export type HardwareConfig = HardwareSection;
