/**
 * The simulated reader (`--reader simulated`, the kiosk's default): no hardware; the demo's "simulate tap" and
 * POST /api/sim/tap present cards to it.
 */
import { z } from 'zod';
import { defineModel } from '../../registry/hardware-model.ts';
import { SimulatedCardReader } from '../simulated-reader.ts';

export const simulatedReaderModel = defineModel({
  kind: 'simulated',
  noun: 'simulated readers',
  schema: z.object({ kind: z.literal('simulated') }),
  flags: {
    forms: [{ usage: 'simulated', parse: (text) => (text === 'simulated' ? { kind: 'simulated' } : undefined) }],
  },
  describe: () => 'simulated reader',
  create: (_config, { logger }) => new SimulatedCardReader({ logger, readerName: 'simulated reader' }),
});
