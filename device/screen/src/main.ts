/**
 * The kiosk screen app (device/screen/): Vue 3, built by Vite into device/screen/dist and served by the kiosk's
 * HTTP service (device/http/screen-assets.ts). Typed against the kiosk's own modules; words in i18n/ (zh-CN
 * first); money and limits from core/.
 */
import { createApp } from 'vue';
import App from './App.vue';
import { watchActivity } from './kiosk/activity.ts';
import { followCatalog } from './kiosk/catalog.ts';
import { connectKioskStream } from './kiosk/stream.ts';
import './style.css';

const app = createApp(App);
app.mount('#app');
connectKioskStream();
watchActivity();
followCatalog();
