/**
 * The columns a member file may have, by the headers chains' old systems and Excel templates use, in Chinese or
 * English. A header is compared without case, spaces, "_", "-", a required-mark "*" or a bracketed unit
 * ("储值余额（元）" is 储值余额), so small differences between systems do not matter. HQ's custom member fields
 * are matched by their label or key the same way; any other column is reported and ignored.
 */
export const IMPORT_FIELDS = ['name', 'phone', 'card', 'tier', 'store', 'gender', 'birthday', 'address', 'storedValue', 'bonusValue', 'points', 'referrerPhone'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Without these a row cannot become a member: a card to look them up by, the store whose staff see them. */
export const REQUIRED_FIELDS: readonly ImportField[] = ['name', 'phone', 'card', 'store'];

const ALIASES: Record<ImportField, readonly string[]> = {
  name: ['姓名', '会员姓名', '名字', '客户姓名', 'name', 'member name', 'full name'],
  phone: ['手机号', '手机', '手机号码', '电话', '联系电话', '会员手机号', 'phone', 'mobile', 'phone number', 'mobile phone'],
  card: ['卡号', '会员卡号', '卡面号', 'card', 'card no', 'card number', 'card uid'],
  tier: ['等级', '会员等级', '级别', '会员级别', 'tier', 'level', 'member tier'],
  store: ['开卡门店', '门店', '所属门店', '门店编号', '开卡店', 'store', 'store id', 'home store'],
  gender: ['性别', 'gender', 'sex'],
  birthday: ['生日', '出生日期', 'birthday', 'date of birth', 'birth date', 'dob'],
  address: ['地址', '联系地址', '住址', 'address'],
  storedValue: ['储值余额', '储值', '余额', '储值金额', '本金余额', 'stored value', 'balance'],
  bonusValue: ['赠送余额', '赠送金额', 'bonus value', 'bonus balance'],
  points: ['积分', '积分余额', '可用积分', 'points', 'points balance'],
  referrerPhone: ['推荐人手机号', '推荐人手机', '推荐人电话', '推荐人', 'referrer phone', 'referrer'],
};

/** The template's headers (the console's download): the first alias of each field, Chinese. */
export const TEMPLATE_HEADERS: Record<ImportField, string> = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, ALIASES[f][0]!])) as Record<ImportField, string>;

export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/[(（[【].*?[)）\]】]/g, '')
    .replace(/[\s_*\-:：]/g, '')
    .toLowerCase();
}

const BY_ALIAS: ReadonlyMap<string, ImportField> = new Map(IMPORT_FIELDS.flatMap((field) => ALIASES[field].map((alias) => [normalizeHeader(alias), field] as const)));

/** What a column of the file is: one of the fields, an HQ custom field (by key), or nothing this import reads. */
export type ColumnMeaning = { kind: 'field'; field: ImportField } | { kind: 'custom'; key: string } | { kind: 'ignored' };

export function columnMeaning(header: string, customFields: readonly { key: string; label: string }[]): ColumnMeaning {
  const normalized = normalizeHeader(header);
  const field = BY_ALIAS.get(normalized);
  if (field) return { kind: 'field', field };
  const custom = customFields.find((f) => normalizeHeader(f.label) === normalized || normalizeHeader(f.key) === normalized);
  return custom ? { kind: 'custom', key: custom.key } : { kind: 'ignored' };
}
