/**
 * `memberkiosk staff add|list|pin|password|deactivate|token|level --data DIR …`: staff accounts on a hub's data
 * directory (whoever can run this has the hub's files: recorded in the audit log as the CLI). PINs and
 * passwords are read from MEMBERKIOSK_PIN / MEMBERKIOSK_PASSWORD, never from the command line (shell history,
 * `ps`).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk staff add --name NAME --role ROLE --stores S1,S2|* [--card UID] [--login NAME] [--data DIR]
       memberkiosk staff list [--data DIR]
       memberkiosk staff pin STAFF_ID [--data DIR]          set or reset a PIN (unlocks the account)
       memberkiosk staff password STAFF_ID [--data DIR]     set or reset a password (ends the hub sessions)
       memberkiosk staff deactivate STAFF_ID [--data DIR]
       memberkiosk staff token STAFF_ID --label TEXT [--days N] [--data DIR]   an API token for an automation
       memberkiosk staff level STAFF_ID --level LEVEL|--clear [--data DIR]     the level (员工级别) commission pays by
  roles: hq_admin, region_manager, store_manager, cashier, technician
  MEMBERKIOSK_PIN       the PIN (4–8 digits) for add --card and pin
  MEMBERKIOSK_PASSWORD  the password (10+ characters) for add --login and password
  --data        the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done, 1 refused (the reason is printed), 2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('staff', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' },
      name: { type: 'string' },
      role: { type: 'string' },
      stores: { type: 'string' },
      card: { type: 'string' },
      login: { type: 'string' },
      label: { type: 'string' },
      days: { type: 'string', default: '90' },
      level: { type: 'string' },
      clear: { type: 'boolean', default: false },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, staffId] = positionals;
  if (!action || !['add', 'list', 'pin', 'password', 'deactivate', 'token', 'level'].includes(action)) return usageError('staff', USAGE, 'say add, list, pin, password, deactivate, token or level');
  if (['pin', 'password', 'deactivate', 'token', 'level'].includes(action) && !staffId) return usageError('staff', USAGE, `staff ${action} needs a STAFF_ID`);
  if (action === 'level' && (values.level === undefined) === !values.clear) return usageError('staff', USAGE, 'staff level needs --level LEVEL or --clear');
  const path = `${values.data}/ledger.sqlite`;
  if (!existsSync(path)) {
    process.stderr.write(`memberkiosk staff: no ledger at ${path}\n`);
    return 2;
  }
  const pin = process.env.MEMBERKIOSK_PIN;
  const password = process.env.MEMBERKIOSK_PASSWORD;
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  const { createIdentityService } = await import('../../hub/identity/identity-service.ts');
  const logger = pino({ level: 'silent' });
  const ledger = await openLedger({ kind: 'sqlite', path, logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
  const identity = createIdentityService({ store: ledger.identity, logger });
  const by = { kind: 'cli', id: userInfo().username, surface: 'cli' } as const;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    switch (action) {
      case 'add': {
        if (!values.name || !values.role || !values.stores) return usageError('staff', USAGE, 'staff add needs --name, --role and --stores');
        if (values.card && !pin) return usageError('staff', USAGE, 'a staff card needs a PIN: set MEMBERKIOSK_PIN');
        if (values.login && !password) return usageError('staff', USAGE, 'a login needs a password: set MEMBERKIOSK_PASSWORD');
        print(
          await identity.addStaff(
            {
              name: values.name,
              role: values.role as 'cashier',
              storeIds: values.stores.split(',').map((s) => s.trim()).filter(Boolean),
              cardUid: values.card?.toUpperCase(),
              pin: values.card ? pin : undefined,
              login: values.login,
              password: values.login ? password : undefined,
            },
            by,
          ),
        );
        return 0;
      }
      case 'list':
        print(await ledger.identity.listStaff());
        return 0;
      case 'pin':
        if (!pin) return usageError('staff', USAGE, 'set MEMBERKIOSK_PIN');
        print(await identity.setSecret(staffId!, { pin }, by));
        return 0;
      case 'password':
        if (!password) return usageError('staff', USAGE, 'set MEMBERKIOSK_PASSWORD');
        print(await identity.setSecret(staffId!, { password }, by));
        return 0;
      case 'deactivate':
        print(await identity.setActive(staffId!, false, by));
        return 0;
      case 'level':
        print(await identity.setLevel(staffId!, values.clear ? null : values.level!, by));
        return 0;
      default: {
        const days = Number(values.days);
        if (!values.label || !Number.isInteger(days) || days < 1 || days > 3650) return usageError('staff', USAGE, 'staff token needs --label and --days 1..3650');
        const { token, session } = await identity.createApiToken(staffId!, values.label, days * 86_400_000, by);
        // Shown once: only its hash is stored.
        print({ token, sessionId: session.sessionId, expiresAt: session.expiresAt });
        return 0;
      }
    }
  } finally {
    await ledger.close();
  }
}
