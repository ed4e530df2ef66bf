// The helpers' field app (手机APP): its own entry, so a helper's phone never downloads the
// office console. Served by the binary at /m/, installable, works offline after sign-in.
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n, initLocale } from './i18n'
import { load, state, sync, watchConnection } from './store'
import 'vant/es/style/base.css'
import './field.css'

async function start() {
  initLocale()
  try {
    await load()
  } catch (e) {
    // IndexedDB refused (private mode on some browsers): the app still runs, without storage.
    console.warn('field storage unavailable', e)
    state.loaded = true
  }
  const app = createApp(App).use(i18n).use(router)
  app.mount('#app')
  watchConnection()
  // On start: send what is waiting and fetch fresh households (sync does both).
  if (state.token && navigator.onLine) void sync()
  if ('serviceWorker' in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch((e) => console.warn('service worker', e))
  }
}

void start()
