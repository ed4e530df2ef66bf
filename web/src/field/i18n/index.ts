// vue-i18n for the field app (its own messages, so the phone never loads the console's).
import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import enUS from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zhCN from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
export const locales: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
]

const storageKey = 'sunshine.field.locale'

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

function applyVant(l: Locale) {
  // Vant ships Chinese as its default; English only when chosen.
  if (l === 'en') VantLocale.use('en-US', enUS)
  else VantLocale.use('zh-CN', vantZh)
}

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  applyVant(l)
  try {
    localStorage.setItem(storageKey, l)
  } catch {
    // ignore
  }
}

export function initLocale() {
  const l = i18n.global.locale.value as Locale
  document.documentElement.lang = l
  if (l === 'en') applyVant(l)
}

export const t = (key: string, named?: Record<string, unknown>) => (named ? i18n.global.t(key, named) : i18n.global.t(key))

// label of an enumeration value; the raw value when there is no translation.
export function label(group: string, value: string | null | undefined): string {
  if (!value) return ''
  const key = `${group}.${value}`
  return i18n.global.te(key) ? i18n.global.t(key) : value
}
