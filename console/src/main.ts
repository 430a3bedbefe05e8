import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { whenSignedOut } from './api.ts';
import { i18n, setLocale } from './i18n.ts';
import { router } from './router.ts';
import { forget } from './session.ts';
import './style.css';

setLocale(i18n.global.locale.value);
whenSignedOut(() => {
  forget();
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.push({ name: 'login', query: { redirect: current.fullPath } });
});
createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app');
