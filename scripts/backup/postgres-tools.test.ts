/**
 * How a `--db` URL reaches pg_dump and pg_restore: as libpq's variables, the password never as an argument, the
 * URL shown with it masked, and a parameter libpq would be given no way to receive refused rather than dropped.
 */
import { describe, expect, it } from 'vitest';
import { otherDatabaseUrl, postgresTarget } from './postgres-tools.ts';

describe('postgresTarget (the --db URL of backup and restore)', () => {
  it('maps the URL to libpq variables and masks the password in what is shown', () => {
    expect(postgresTarget('postgres://hub%40hq:s3cr%2Ft@db.example:6543/member%20kiosk?sslmode=verify-full&sslrootcert=/etc/ca.pem')).toEqual({
      url: 'postgres://hub%40hq:s3cr%2Ft@db.example:6543/member%20kiosk?sslmode=verify-full&sslrootcert=/etc/ca.pem',
      shown: 'postgres://hub%40hq:***@db.example:6543/member%20kiosk?sslmode=verify-full&sslrootcert=/etc/ca.pem',
      database: 'member kiosk',
      env: { PGHOST: 'db.example', PGPORT: '6543', PGUSER: 'hub@hq', PGPASSWORD: 's3cr/t', PGDATABASE: 'member kiosk', PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/etc/ca.pem' },
    });
    // No password in the URL: none in the variables either (PGPASSWORD of the environment or ~/.pgpass apply).
    expect(postgresTarget('postgresql://memberkiosk@[::1]/memberkiosk')).toMatchObject({ shown: 'postgresql://memberkiosk@[::1]/memberkiosk', env: { PGHOST: '::1', PGUSER: 'memberkiosk', PGDATABASE: 'memberkiosk' } });
    expect(postgresTarget('postgres://u@h/d')).not.toHaveProperty('env.PGPASSWORD');
  });

  it('says what is wrong with a URL it cannot use', () => {
    expect(postgresTarget('mysql://u@h/d')).toBe('a postgres:// URL is needed, not mysql:');
    expect(postgresTarget('postgres://u@h')).toBe('the URL names no database (postgres://USER@HOST:PORT/DATABASE)');
    expect(postgresTarget('postgres://u@h/d?target_session_attrs=read-write')).toMatch(/^the URL's parameter target_session_attrs is not one a backup can pass on/);
    expect(postgresTarget('not a url')).toMatch(/is not a URL/);
  });

  it('names another database of the same server', () => {
    expect(otherDatabaseUrl('postgres://u:p@h:5432/memberkiosk?sslmode=require', 'postgres')).toBe('postgres://u:p@h:5432/postgres?sslmode=require');
  });
});
