/**
 * The console's pages under /console/ (the hub answers index.html for any of them: hub/http/console-assets.ts).
 * The guard sends a visitor without a session to the login page and a role to the pages it may open
 * (menu.ts); the hub refuses the API calls anyway.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { menuFor, mayOpen, type PageKey } from './menu.ts';
import { session, loadSession } from './session.ts';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./pages/HomePage.vue') },
      { path: 'members', name: 'members', component: () => import('./pages/MembersPage.vue'), meta: { page: 'members' } },
      { path: 'members/import', name: 'member-import', component: () => import('./members/MemberImportPage.vue'), meta: { page: 'members' } },
      { path: 'members/:memberId', name: 'member', component: () => import('./pages/MemberPage.vue'), meta: { page: 'members' }, props: true },
      { path: 'rules', name: 'rules', component: () => import('./rules/RulesPage.vue'), meta: { page: 'rules' } },
      { path: 'reports', name: 'reports', component: () => import('./reports/ReportsPage.vue'), meta: { page: 'reports' } },
      { path: 'messages', name: 'messages', component: () => import('./messaging/MessagesPage.vue'), meta: { page: 'messages' } },
      { path: 'audit-log', name: 'audit-log', component: () => import('./pages/AuditLogPage.vue'), meta: { page: 'audit-log' } },
      { path: 'settings', name: 'settings', component: () => import('./settings/SettingsPage.vue'), meta: { page: 'settings' } },
      { path: 'staff', name: 'staff', component: () => import('./pages/StaffPage.vue'), meta: { page: 'staff' } },
      { path: 'stores', name: 'stores', component: () => import('./pages/StoresPage.vue'), meta: { page: 'stores' } },
      { path: 'kiosks', name: 'kiosks', component: () => import('./pages/KiosksPage.vue'), meta: { page: 'kiosks' } },
      { path: 'gifts', name: 'gifts', component: () => import('./pages/GiftsPage.vue'), meta: { page: 'gifts' } },
      { path: 'card-types', name: 'card-types', component: () => import('./pages/CardTypesPage.vue'), meta: { page: 'card-types' } },
      { path: 'code-batches', name: 'code-batches', component: () => import('./pages/CodeBatchesPage.vue'), meta: { page: 'code-batches' } },
      { path: 'draws', name: 'draws', component: () => import('./pages/DrawsPage.vue'), meta: { page: 'draws' } },
      { path: 'commission', name: 'commission', component: () => import('./pages/CommissionPage.vue'), meta: { page: 'commission' } },
      { path: 'account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { page: 'account' } },
      { path: 'receipts/verify', name: 'receipt-verify', component: () => import('./receipts/ReceiptVerifyPage.vue'), meta: { page: 'receipts' } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory('/console/'), routes });

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession();
  if (to.meta.public) return session.me && to.name === 'login' ? { name: 'home' } : true;
  if (!session.me) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  const page = to.meta.page as PageKey | undefined;
  if (page && !mayOpen(session.me.role, page)) return { name: 'home' };
  if (to.name === 'home') {
    const first = menuFor(session.me.role)[0];
    if (first) return { path: first.path };
  }
  return true;
});
