/**
 * PC/SC contactless readers through nfc-pcsc and pcscd: `--reader pcsc` (every reader) or `pcsc:NAME` (readers
 * whose name contains NAME). The technician tools also take `--pcsc [--reader NAME]` (exactly that reader).
 */
import { z } from 'zod';
import { defineModel } from '../../registry/hardware-model.ts';
import { PcscCardReader } from '../pcsc-reader.ts';

const pcscReaderSchema = z.object({
  kind: z.literal('pcsc'),
  /** Use only readers whose PC/SC name contains this (e.g. "ACR122U"); all readers when absent. */
  readerName: z.string().min(1).optional(),
  /** readerName is the whole name, not a part of it (`drivers watch --pcsc --reader NAME`). */
  exactName: z.boolean().optional(),
  /** Read a member number from the tag's memory as well as its UID. */
  memberNumberBlock: z
    .object({ block: z.number().int().nonnegative(), length: z.number().int().positive().max(64), blockSize: z.union([z.literal(4), z.literal(16)]).optional() })
    .optional(),
});

export const pcscReaderModel = defineModel({
  kind: 'pcsc',
  noun: 'PC/SC readers',
  schema: pcscReaderSchema,
  flags: {
    forms: [
      {
        usage: 'pcsc[:NAME]',
        parse(text) {
          if (text !== 'pcsc' && !text.startsWith('pcsc:')) return undefined;
          const name = text.slice('pcsc:'.length);
          return text === 'pcsc' || name === '' ? { kind: 'pcsc' } : { kind: 'pcsc', readerName: name };
        },
      },
    ],
    shortcuts: [
      {
        name: 'pcsc',
        help: 'PC/SC (NFC) readers; with --reader NAME only the reader of exactly that name',
        parse: () => ({ kind: 'pcsc' }),
        main: { value: 'NAME', apply: (config, name) => ({ ...config, readerName: name, exactName: true }) },
      },
    ],
  },
  describe: (config) => `pcsc${config.readerName ? `:${config.readerName}` : ''}`,
  create(config, deps) {
    const wanted = config.readerName;
    const accept = wanted === undefined ? undefined : config.exactName ? (name: string) => name === wanted : (name: string) => name.includes(wanted);
    return new PcscCardReader({
      logger: deps.logger,
      ...(accept ? { acceptReader: accept } : {}),
      ...(config.memberNumberBlock ? { memberNumber: { ...config.memberNumberBlock } } : {}),
      ...(deps.nfcFactory ? { nfcFactory: deps.nfcFactory } : {}),
    });
  },
});
