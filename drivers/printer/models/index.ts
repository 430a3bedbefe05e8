/**
 * Every receipt printer model the kiosk and the technician tools know, in the order help and errors list their
 * forms. A new model: its file beside these (kind, schema, flags, describe, create), and one entry here.
 */
import type { HardwareModel, ModelConfig } from '../../registry/hardware-model.ts';
import type { ReceiptPrinter } from '../types.ts';
import { devicePathPrinterModel } from './device-path.ts';
import { serialPrinterModel } from './serial.ts';
import { simulatedPrinterModel } from './simulated.ts';
import { tcpPrinterModel } from './tcp.ts';

export const PRINTER_MODELS: readonly HardwareModel<ModelConfig, ReceiptPrinter>[] = [simulatedPrinterModel, tcpPrinterModel, serialPrinterModel, devicePathPrinterModel];
