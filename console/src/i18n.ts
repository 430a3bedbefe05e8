/**
 * The console's words in zh-CN (the default) and English. Element Plus gets its own locale for the same
 * language (App.vue). The choice is kept in this browser (localStorage), never on the hub.
 */
import { createI18n } from 'vue-i18n';
import { ORG_MESSAGES } from './org/messages.ts';
import { ORG_PAGES_MESSAGES } from './org/org-pages-messages.ts';
import { RULES_MESSAGES } from './rules/messages.ts';
import { REPORTS_MESSAGES } from './reports/messages.ts';
import { MEMBER_ACTION_MESSAGES } from './members/messages.ts';
import { MEMBER_IMPORT_MESSAGES } from './members/import-messages.ts';
import { SETTINGS_MESSAGES } from './settings/messages.ts';
import { RECEIPT_MESSAGES } from './receipts/messages.ts';
import { OUTBOUND_MESSAGES } from './messaging/messages.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'mk.console.locale';

const zhCN = {
  app: { title: '会员系统 · 总部控制台', short: '总部控制台' },
  lang: { label: '语言', 'zh-CN': '中文', en: 'English' },
  login: {
    heading: '登录总部控制台',
    login: '账号',
    password: '密码',
    submit: '登录',
    required: '请输入账号和密码',
    failed: '账号或密码不正确',
    locked: '尝试次数过多，账号已暂时锁定',
    unreachable: '无法连接总部服务器',
    hint: '使用总部、区域或门店管理员账号登录',
  },
  menu: { members: '会员', auditLog: '审计日志', toggle: '菜单' },
  user: { logout: '退出登录', stores: '门店', allStores: '全部门店', sessionUntil: '会话有效期至' },
  role: { hq_admin: '总部管理员', region_manager: '区域经理', store_manager: '店长', cashier: '收银员', technician: '技术员' },
  home: { noPages: '您的角色暂无可用的控制台页面。收银和技术人员请在自助机上操作。' },
  members: {
    title: '会员查询',
    placeholder: '姓名、手机号、卡号或会员号',
    search: '查询',
    field: { any: '全部', name: '姓名', phone: '手机号', card: '卡号', member: '会员号' },
    empty: '没有找到符合条件的会员',
    hint: '输入姓名、手机号（可输入后四位）、卡号或会员号进行查询',
    count: '共 {n} 位会员',
    memberId: '会员号',
    name: '姓名',
    phone: '手机号',
    tier: '等级',
    card: '卡号',
    homeStore: '开卡门店',
    storedValue: '储值余额',
    points: '积分',
    matchedBy: '匹配',
    open: '查看',
  },
  member: {
    back: '返回查询',
    notFound: '没有这位会员，或不在您的管理范围内',
    profile: '基本资料',
    balances: '账户余额',
    storedValue: '储值余额',
    bonusValue: '赠送余额',
    points: '积分',
    creditLimit: '信用额度',
    nextExpiry: '最近到期',
    expiring: '{points} 积分于 {date} 到期',
    noExpiry: '无到期积分',
    tier: '会员等级',
    cumulativeSpend: '累计消费',
    cumulativePoints: '累计获得积分',
    visits: '消费次数',
    createdAt: '入会时间',
    referrer: '推荐人',
    none: '无',
    cards: '会员卡',
    cardUid: '卡号',
    cardStatus: '状态',
    cardType: '卡类型',
    defaultCardType: '默认',
    holder: '持卡人',
    validUntil: '有效期至',
    issuedAt: '发卡时间',
    serviceCards: '次卡 / 期限卡',
    service: '服务',
    punchesLeft: '剩余次数',
    unlimited: '不限次',
    history: '交易记录',
    historyEmpty: '暂无交易',
    at: '时间',
    kind: '类型',
    value: '金额变动',
    pointsDelta: '积分变动',
    status: '结果',
    device: '设备',
    bundle: '规则版本',
    trace: '规则计算过程',
    noTrace: '此交易未经过积分规则',
    refusedWith: '拒绝原因：{code}',
    phoneMasked: '手机号已脱敏',
  },
  tier: { standard: '普通会员', silver: '银卡会员', gold: '金卡会员', diamond: '钻石会员' },
  cardStatus: { active: '正常', lost: '挂失', frozen: '冻结', cancelled: '已注销', expired: '已过期' },
  txStatus: { applied: '成功', rejected: '已拒绝' },
  txKind: {
    purchase: '消费',
    top_up: '充值',
    redeem_gift: '积分兑换礼品',
    refund: '退款',
    card_report_loss: '挂失',
    card_cancel_loss: '解除挂失',
    card_freeze: '冻结',
    card_unfreeze: '解冻',
    card_replace: '补卡',
    card_return: '退卡',
    register_member: '注册入会',
    tier_upgrade: '等级升级',
    punch_card_use: '次卡消费',
    manual_bonus: '手工调整积分',
    code_redeem: '兑换码',
    draw_enter: '积分抽奖',
    card_issue: '发卡',
    card_service: '卡务服务',
    credit_repay: '信用还款',
    points_expiry: '积分到期',
    tier_review: '等级评定',
    annual_fee: '年费',
    credit_charge: '信用扣费',
  },
  audit: {
    title: '审计日志',
    actor: '操作人',
    action: '操作',
    target: '对象',
    filter: '筛选',
    reset: '重置',
    at: '时间',
    surface: '来源',
    outcome: '结果',
    details: '详情',
    before: '变更前',
    after: '变更后',
    more: '加载更多',
    empty: '没有符合条件的记录',
    end: '已显示全部记录',
    actorKind: { staff: '员工', device: '设备', cli: '命令行', system: '系统' },
  },
  common: { loading: '加载中…', error: '出错了：{message}', retry: '重试', save: '保存', cancel: '取消' },
} as const;

type Messages = { [K in keyof typeof zhCN]: { [L in keyof (typeof zhCN)[K]]: (typeof zhCN)[K][L] extends string ? string : { [M in keyof (typeof zhCN)[K][L]]: string } } };

const en: Messages = {
  app: { title: 'MemberKiosk · HQ console', short: 'HQ console' },
  lang: { label: 'Language', 'zh-CN': '中文', en: 'English' },
  login: {
    heading: 'Sign in to the HQ console',
    login: 'Login',
    password: 'Password',
    submit: 'Sign in',
    required: 'Enter your login and password',
    failed: 'Wrong login or password',
    locked: 'Too many attempts: the account is locked for a while',
    unreachable: 'The hub cannot be reached',
    hint: 'Sign in with an HQ, region or store manager account',
  },
  menu: { members: 'Members', auditLog: 'Audit log', toggle: 'Menu' },
  user: { logout: 'Sign out', stores: 'Stores', allStores: 'All stores', sessionUntil: 'Session valid until' },
  role: { hq_admin: 'HQ admin', region_manager: 'Region manager', store_manager: 'Store manager', cashier: 'Cashier', technician: 'Technician' },
  home: { noPages: 'Your role has no console pages yet. Cashiers and technicians work on the kiosks.' },
  members: {
    title: 'Find a member',
    placeholder: 'Name, phone, card or member id',
    search: 'Search',
    field: { any: 'All', name: 'Name', phone: 'Phone', card: 'Card', member: 'Member id' },
    empty: 'No member matches',
    hint: 'Search by name, phone (the last four digits will do), card number or member id',
    count: '{n} members',
    memberId: 'Member id',
    name: 'Name',
    phone: 'Phone',
    tier: 'Tier',
    card: 'Card',
    homeStore: 'Home store',
    storedValue: 'Stored value',
    points: 'Points',
    matchedBy: 'Matched',
    open: 'Open',
  },
  member: {
    back: 'Back to search',
    notFound: 'No such member, or not in your stores',
    profile: 'Profile',
    balances: 'Balances',
    storedValue: 'Stored value',
    bonusValue: 'Bonus value',
    points: 'Points',
    creditLimit: 'Credit limit',
    nextExpiry: 'Next expiry',
    expiring: '{points} points expire on {date}',
    noExpiry: 'No points expiring',
    tier: 'Tier',
    cumulativeSpend: 'Total spend',
    cumulativePoints: 'Points earned in total',
    visits: 'Visits',
    createdAt: 'Member since',
    referrer: 'Referred by',
    none: 'None',
    cards: 'Cards',
    cardUid: 'Card number',
    cardStatus: 'Status',
    cardType: 'Card type',
    defaultCardType: 'Default',
    holder: 'Holder',
    validUntil: 'Valid until',
    issuedAt: 'Issued',
    serviceCards: 'Count and time cards',
    service: 'Service',
    punchesLeft: 'Visits left',
    unlimited: 'Unlimited',
    history: 'History',
    historyEmpty: 'No transactions yet',
    at: 'Time',
    kind: 'Type',
    value: 'Value',
    pointsDelta: 'Points',
    status: 'Result',
    device: 'Device',
    bundle: 'Rules version',
    trace: 'How the rules applied',
    noTrace: 'No points rule ran for this transaction',
    refusedWith: 'Refused: {code}',
    phoneMasked: 'Phone number masked',
  },
  tier: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  cardStatus: { active: 'Active', lost: 'Reported lost', frozen: 'Frozen', cancelled: 'Cancelled', expired: 'Expired' },
  txStatus: { applied: 'Applied', rejected: 'Refused' },
  txKind: {
    purchase: 'Purchase',
    top_up: 'Top-up',
    redeem_gift: 'Gift redemption',
    refund: 'Refund',
    card_report_loss: 'Card reported lost',
    card_cancel_loss: 'Loss report cancelled',
    card_freeze: 'Card frozen',
    card_unfreeze: 'Card unfrozen',
    card_replace: 'Card replaced',
    card_return: 'Card returned',
    register_member: 'Registration',
    tier_upgrade: 'Tier upgrade',
    punch_card_use: 'Count-card visit',
    manual_bonus: 'Manual points',
    code_redeem: 'Redemption code',
    draw_enter: 'Points draw',
    card_issue: 'Card issued',
    card_service: 'Card service',
    credit_repay: 'Credit repayment',
    points_expiry: 'Points expiry',
    tier_review: 'Tier review',
    annual_fee: 'Annual fee',
    credit_charge: 'Credit charge',
  },
  audit: {
    title: 'Audit log',
    actor: 'Actor',
    action: 'Action',
    target: 'Target',
    filter: 'Filter',
    reset: 'Reset',
    at: 'Time',
    surface: 'Surface',
    outcome: 'Outcome',
    details: 'Details',
    before: 'Before',
    after: 'After',
    more: 'Load more',
    empty: 'No entries match',
    end: 'All entries shown',
    actorKind: { staff: 'Staff', device: 'Device', cli: 'CLI', system: 'System' },
  },
  common: { loading: 'Loading…', error: 'Something went wrong: {message}', retry: 'Retry', save: 'Save', cancel: 'Cancel' },
};

function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN';
}

export const i18n = createI18n({ legacy: false, locale: initialLocale(), fallbackLocale: 'zh-CN', messages: { 'zh-CN': zhCN, en } });
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, ORG_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, ORG_PAGES_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, RULES_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, REPORTS_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, MEMBER_ACTION_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, MEMBER_IMPORT_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, SETTINGS_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, RECEIPT_MESSAGES[l]);
for (const l of LOCALES) i18n.global.mergeLocaleMessage(l, OUTBOUND_MESSAGES[l]);

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
  document.title = i18n.global.t('app.title');
}

/** A translation when the key exists, else the raw value (a tier or kind HQ added after this build). */
export function labelOr(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return i18n.global.te(key) ? i18n.global.t(key) : value;
}
