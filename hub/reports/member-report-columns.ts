/**
 * The member reports' spreadsheet columns (member-reports.ts → report-export.ts): Chinese headers unless English
 * is asked for, money in yuan, times as local wall time in the chain's zone. Phone numbers come already masked
 * for the caller (the routes decide, as the member search does).
 */
import type { CreditWarning } from '../../core/credit/credit-statements.ts';
import type { CreditMonth, CreditWarningRow, DemographicsReport, GiftReport } from './member-reports.ts';
import { yuan, type ExportColumn } from './report-export.ts';
import { localDateTime } from './report-period.ts';
import type { ChurnRow, ReferralRow } from './sqlite-member-report-reads.ts';

export type Lang = 'zh-CN' | 'en';
export const label = (l: Lang, zh: string, en: string): string => (l === 'en' ? en : zh);

export function churnColumns(l: Lang, timezone: string, nowMs: number): ExportColumn<ChurnRow>[] {
  return [
    { header: label(l, '会员号', 'Member'), value: (r) => r.memberId },
    { header: label(l, '姓名', 'Name'), value: (r) => r.name },
    { header: label(l, '手机', 'Phone'), value: (r) => r.phone },
    { header: label(l, '等级', 'Tier'), value: (r) => r.tier },
    { header: label(l, '开卡门店', 'Home store'), value: (r) => r.homeStoreId },
    { header: label(l, '最后消费', 'Last visit'), value: (r) => (r.lastVisit === null ? null : localDateTime(r.lastVisit, timezone)), width: 20 },
    { header: label(l, '未消费天数', 'Days since'), value: (r) => (r.lastVisit === null ? null : Math.floor((nowMs - Date.parse(r.lastVisit)) / 86_400_000)) },
    { header: label(l, '储值余额(元)', 'Stored value (CNY)'), value: (r) => yuan(r.storedValueCents) },
    { header: label(l, '积分余额', 'Points'), value: (r) => r.points },
  ];
}

const WARNING_WORDS: Record<CreditWarning, [string, string]> = { overdue: ['逾期', 'Overdue'], over_limit: ['超额', 'Over limit'], near_limit: ['接近额度', 'Near limit'] };

export function creditWarningColumns(l: Lang): ExportColumn<CreditWarningRow>[] {
  return [
    { header: label(l, '会员号', 'Member'), value: (r) => r.memberId },
    { header: label(l, '姓名', 'Name'), value: (r) => r.name },
    { header: label(l, '手机', 'Phone'), value: (r) => r.phone },
    { header: label(l, '开卡门店', 'Home store'), value: (r) => r.homeStoreId },
    { header: label(l, '预警', 'Warnings'), value: (r) => r.warnings.map((w) => label(l, ...WARNING_WORDS[w])).join(l === 'en' ? ', ' : '、'), width: 20 },
    { header: label(l, '欠款(元)', 'Owed (CNY)'), value: (r) => yuan(r.owedCents) },
    { header: label(l, '额度(元)', 'Limit (CNY)'), value: (r) => yuan(r.limitCents) },
    { header: label(l, '可用(元)', 'Available (CNY)'), value: (r) => yuan(r.availableCents) },
    { header: label(l, '逾期未还(元)', 'Overdue (CNY)'), value: (r) => yuan(r.overdueCents) },
    { header: label(l, '最早到期日', 'Oldest due date'), value: (r) => r.oldestDueDate },
  ];
}

export function creditMonthColumns(l: Lang): ExportColumn<CreditMonth>[] {
  return [
    { header: label(l, '账单月份', 'Month'), value: (r) => r.month },
    { header: label(l, '到期日', 'Due date'), value: (r) => r.dueDate },
    { header: label(l, '账单会员数', 'Members'), value: (r) => r.members },
    { header: label(l, '本月赊账(元)', 'Charged (CNY)'), value: (r) => yuan(r.chargesCents) },
    { header: label(l, '期末欠款(元)', 'Owed at month end (CNY)'), value: (r) => yuan(r.owedCents) },
    { header: label(l, '未到期未还(元)', 'Due, unpaid (CNY)'), value: (r) => yuan(r.dueCents) },
    { header: label(l, '逾期未还(元)', 'Overdue (CNY)'), value: (r) => yuan(r.overdueCents) },
    { header: label(l, '逾期会员数', 'Members overdue'), value: (r) => r.overdueMembers },
    { header: label(l, '已还清会员数', 'Members paid'), value: (r) => r.paidMembers },
  ];
}

export interface DistributionRow { what: string; key: string; name: string; count: number }

export function distributionColumns(l: Lang): ExportColumn<DistributionRow>[] {
  return [
    { header: label(l, '类别', 'Figure'), value: (r) => r.what, width: 18 },
    { header: label(l, '代码', 'Key'), value: (r) => r.key },
    { header: label(l, '名称', 'Name'), value: (r) => r.name, width: 20 },
    { header: label(l, '数量', 'Count'), value: (r) => r.count },
  ];
}

export function demographicColumns(l: Lang): ExportColumn<DemographicsReport['rows'][number]>[] {
  return [
    { header: label(l, '区域', 'Region'), value: (r) => r.regionName ?? r.regionId ?? label(l, '（无）', '(none)') },
    { header: label(l, '性别', 'Gender'), value: (r) => r.gender },
    { header: label(l, '年龄段', 'Age band'), value: (r) => r.band },
    { header: label(l, '会员数', 'Members'), value: (r) => r.count },
  ];
}

export function giftColumns(l: Lang): ExportColumn<GiftReport['rows'][number]>[] {
  return [
    { header: label(l, '礼品编码', 'Gift'), value: (r) => r.sku },
    { header: label(l, '礼品名称', 'Name'), value: (r) => r.name, width: 20 },
    { header: label(l, '门店', 'Store'), value: (r) => r.storeId },
    { header: label(l, '兑换次数', 'Redemptions'), value: (r) => r.count },
    { header: label(l, '数量', 'Quantity'), value: (r) => r.qty },
    { header: label(l, '消耗积分', 'Points'), value: (r) => r.points },
  ];
}

export function referralColumns(l: Lang): ExportColumn<ReferralRow & { rank: number }>[] {
  return [
    { header: label(l, '排名', 'Rank'), value: (r) => r.rank },
    { header: label(l, '会员号', 'Member'), value: (r) => r.memberId },
    { header: label(l, '姓名', 'Name'), value: (r) => r.name },
    { header: label(l, '手机', 'Phone'), value: (r) => r.phone },
    { header: label(l, '等级', 'Tier'), value: (r) => r.tier },
    { header: label(l, '开卡门店', 'Home store'), value: (r) => r.homeStoreId },
    { header: label(l, '推荐人数', 'Referred'), value: (r) => r.referred },
    { header: label(l, '推荐积分', 'Referral points'), value: (r) => r.points },
  ];
}
