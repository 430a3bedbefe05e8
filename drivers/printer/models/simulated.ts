/**
 * The simulated printer (`--printer simulated`, the kiosk's default): keeps the newest receipts and their SVG in
 * memory; paper, cover and power can be set to show the screens' "printer needs attention" states.
 */
import { z } from 'zod';
import { defineModel } from '../../registry/hardware-model.ts';
import { SimulatedPrinter } from '../simulated-printer.ts';

/** A kiosk may run the demo for days: it keeps this many printed receipts, the newest. */
const KEEP_PRINTED = 20;

export const simulatedPrinterModel = defineModel({
  kind: 'simulated',
  noun: 'simulated printers',
  schema: z.object({ kind: z.literal('simulated') }),
  flags: {
    forms: [{ usage: 'simulated', parse: (text) => (text === 'simulated' ? { kind: 'simulated' } : undefined) }],
  },
  describe: () => 'simulated printer',
  create: (_config, { logger }) => new SimulatedPrinter({ logger, keepPrinted: KEEP_PRINTED }),
});
