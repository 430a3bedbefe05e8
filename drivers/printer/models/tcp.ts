/** ESC/POS network printers on a raw TCP port: `--printer tcp:HOST[:PORT]` (port 9100 when left out). */
import { z } from 'zod';
import { defineModel, FlagValueError, type ModelConfigInput } from '../../registry/hardware-model.ts';
import { TcpPrinterTransport } from '../tcp-transport.ts';
import { escposPrinter } from './escpos.ts';

const HOST_PORT = /^([^:]+|\[[^\]]+\])(?::(\d{1,5}))?$/;

/** HOST[:PORT], an IPv6 host in brackets. */
function hostPort(text: string): ModelConfigInput | undefined {
  const match = HOST_PORT.exec(text);
  if (!match) return undefined;
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  return match[2] ? { kind: 'tcp', host, port: Number(match[2]) } : { kind: 'tcp', host };
}

export const tcpPrinterModel = defineModel({
  kind: 'tcp',
  noun: 'network printers',
  schema: z.object({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) }),
  flags: {
    forms: [{ usage: 'tcp:HOST[:PORT]', note: '(9100)', parse: (text) => (text.startsWith('tcp:') ? hostPort(text.slice('tcp:'.length)) : undefined) }],
    shortcuts: [
      {
        name: 'tcp',
        value: 'HOST[:9100]',
        help: 'a network printer (the same as --printer tcp:HOST[:PORT])',
        parse(text) {
          const config = hostPort(text ?? '');
          if (!config) throw new FlagValueError('HOST or HOST:PORT');
          return config;
        },
      },
    ],
  },
  describe: (config) => `tcp://${config.host}:${config.port}`,
  create: (config, deps) => escposPrinter(new TcpPrinterTransport({ host: config.host, port: config.port }), deps),
});
