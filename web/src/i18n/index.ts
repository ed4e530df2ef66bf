import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
export const locales: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
]

const storageKey = 'sunshine.locale'

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey)
    if (saved === 'zh-CN' || saved === 'en') return saved
  } catch {
    // storage may be unavailable (private mode); Chinese is the default anyway
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

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  try {
    localStorage.setItem(storageKey, l)
  } catch {
    // ignore
  }
}

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

// t outside components (API client, router guards).
export const t = (key: string, named?: Record<string, unknown>) =>
  named ? i18n.global.t(key, named) : i18n.global.t(key)

// Label for a value of an enumeration (roles, statuses …): the translation when
// there is one, else the raw value, so a new backend value still shows.
// A name one level deeper than a name that is itself a message ("crosscheck.run.start" next
// to "crosscheck.run") cannot be a nested key: it is stored with underscores past its first
// part ("crosscheck.run_start").
export function label(group: string, value: string | null | undefined): string {
  if (!value) return ''
  const key = `${group}.${value}`
  if (i18n.global.te(key)) return i18n.global.t(key)
  const [head, ...rest] = value.split('.')
  if (rest.length > 1) {
    const flat = `${group}.${head}.${rest.join('_')}`
    if (i18n.global.te(flat)) return i18n.global.t(flat)
  }
  return value
}
