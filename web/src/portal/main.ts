// The public face (阳光公开): portal pages for phones under /p/ and the kiosk under /kiosk.
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n, initLocale } from './i18n'
import 'vant/es/style/base.css'
import './portal.css'

initLocale()
createApp(App).use(i18n).use(router).mount('#app')
