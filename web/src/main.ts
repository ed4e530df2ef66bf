import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import 'element-plus/theme-chalk/base.css'
import './styles.css'

document.documentElement.lang = i18n.global.locale.value

createApp(App).use(i18n).use(router).mount('#app')
