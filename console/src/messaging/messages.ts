/**
 * The message record's words (member page section and the Messages page), zh-CN and English, merged into the
 * console's i18n (../i18n.ts) under their own top-level key `outbound`. Every status the hub records
 * (hub/messaging/outbound-messages.ts MessageStatus) has words here; a status added later shows as it is (labelOr).
 */
const zhCN = {
  outbound: {
    menu: '消息记录',
    title: '消息记录',
    note: '自动化流程发给会员和店长的消息，最新的在前；手机号已脱敏。',
    at: '时间',
    recipient: '接收人',
    purpose: '用途',
    purposes: { marketing: '营销', service: '服务' },
    channel: '渠道',
    channels: { sms: '短信', webhook: '工作群机器人' },
    status: '状态',
    statuses: {
      sent: '已发送',
      'skipped-no-consent': '未发送：未授权营销',
      'skipped-no-contact': '未发送：无联系方式',
      failed: '发送失败',
      sending: '发送中',
    },
    text: '内容',
    storeManagers: '{store} 店长',
    memberId: '会员号',
    filter: '筛选',
    reset: '重置',
    more: '加载更多',
    end: '已显示全部消息',
    empty: '暂无消息',
    emptyMember: '还没有发给这位会员的消息',
    unknownMember: '没有这位会员，或不在您的管理范围内',
  },
};

const en: typeof zhCN = {
  outbound: {
    menu: 'Messages',
    title: 'Messages',
    note: 'What the automations on the hub sent to members and store managers, newest first; phone numbers masked.',
    at: 'Time',
    recipient: 'Recipient',
    purpose: 'Purpose',
    purposes: { marketing: 'Marketing', service: 'Service' },
    channel: 'Channel',
    channels: { sms: 'SMS', webhook: 'Staff group robot' },
    status: 'Status',
    statuses: {
      sent: 'Sent',
      'skipped-no-consent': 'Not sent: no marketing consent',
      'skipped-no-contact': 'Not sent: no contact',
      failed: 'Failed to send',
      sending: 'Sending',
    },
    text: 'Text',
    storeManagers: 'Managers of {store}',
    memberId: 'Member id',
    filter: 'Filter',
    reset: 'Reset',
    more: 'Load more',
    end: 'All messages shown',
    empty: 'No messages',
    emptyMember: 'No messages to this member yet',
    unknownMember: 'No such member, or not in your stores',
  },
};

export const OUTBOUND_MESSAGES = { 'zh-CN': zhCN, en };
