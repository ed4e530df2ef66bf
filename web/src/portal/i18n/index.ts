// vue-i18n for the public face (its own messages, so a phone never loads the console's).
// Each area keeps its messages in its own pair of files, merged here.
import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import enUS from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zhCN from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
const storageKey = 'sunshine.portal.locale'

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey)
    if (saved === 'zh-CN' || saved === 'en') return saved
  } catch {
    // storage may be unavailable; Chinese is the default anyway
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(l: Locale, remember = true) {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  if (l === 'en') VantLocale.use('en-US', enUS)
  else VantLocale.use('zh-CN', vantZh)
  if (!remember) return
  try {
    localStorage.setItem(storageKey, l)
  } catch {
    // ignore
  }
}

export function initLocale() {
  setLocale(i18n.global.locale.value as Locale, false)
}

export const t = (key: string, named?: Record<string, unknown>) => (named ? i18n.global.t(key, named) : i18n.global.t(key))
