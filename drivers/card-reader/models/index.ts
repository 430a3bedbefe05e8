/**
 * Every card reader model the kiosk and the technician tools know, in the order help and errors list their
 * forms. A new model: its file beside these (kind, schema, flags, describe, create), and one entry here.
 */
import type { HardwareModel, ModelConfig } from '../../registry/hardware-model.ts';
import type { CardReader } from '../types.ts';
import { pcscReaderModel } from './pcsc.ts';
import { serialReaderModel } from './serial.ts';
import { simulatedReaderModel } from './simulated.ts';

export const READER_MODELS: readonly HardwareModel<ModelConfig, CardReader>[] = [simulatedReaderModel, pcscReaderModel, serialReaderModel];
