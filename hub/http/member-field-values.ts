/**
 * HQ's custom member fields as a profile write meets them (member-profile-routes.ts): each value checked against
 * its field's type and options, required fields present, and a retired field's value carried over untouched — the
 * console no longer asks for it, so a write that leaves it out must not erase what was given before.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { MemberFieldDef } from '../ledger/member-profile-store.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function checkValue(def: MemberFieldDef, value: string): string | null {
  switch (def.type ?? 'text') {
    case 'text':
      return null;
    case 'number':
      return NUMBER.test(value) ? null : `${def.key} is a number`;
    case 'date':
      return DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? null : `${def.key} is a date YYYY-MM-DD`;
    case 'select':
      return (def.options ?? []).includes(value) ? null : `${def.key} is one of ${(def.options ?? []).join(', ')}`;
  }
}

/**
 * The custom fields to store when a profile write sets them to `given` (the whole set): BAD_REQUEST for a key HQ
 * does not define, a value of the wrong kind, a required field left empty, or a value for a retired field that
 * differs from the stored one.
 */
export function customFieldsToStore(defs: readonly MemberFieldDef[], given: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const byKey = new Map(defs.map((d) => [d.key, d] as const));
  const problems: string[] = [];
  const unknown = Object.keys(given).filter((k) => !byKey.has(k));
  if (unknown.length > 0) throw new CodedError('BAD_REQUEST', `HQ defines no member field ${unknown.join(', ')}`);
  const result: Record<string, string> = {};
  for (const def of defs) {
    const value = (given[def.key] ?? '').trim();
    if (def.retired) {
      if (value !== '' && value !== stored[def.key]) problems.push(`${def.key} is retired: its value can no longer be changed`);
      if (stored[def.key] !== undefined) result[def.key] = stored[def.key]!;
      continue;
    }
    if (value === '') {
      if (def.required) problems.push(`${def.key} is required`);
      continue;
    }
    const problem = checkValue(def, value);
    if (problem) problems.push(problem);
    result[def.key] = value;
  }
  if (problems.length > 0) throw new CodedError('BAD_REQUEST', problems.join('; '));
  return result;
}
