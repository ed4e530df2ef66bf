// The words of the cross-check screens in the current language: dataset kinds and doubt
// statuses (the server's Chinese label when a value is new to the console).
import { useI18n } from 'vue-i18n'

export function useCcText() {
  const { t, te } = useI18n()
  return {
    kindName(kind: string, fallback = ''): string {
      if (!kind) return fallback || '—'
      return te('cc.kinds.' + kind) ? t('cc.kinds.' + kind) : fallback || kind
    },
    statusName(status: string): string {
      return te('cc.status.' + status) ? t('cc.status.' + status) : status
    },
  }
}
