// The words of the visit screens in the current language: a quarter ("2026年第3季度") and a
// distance from home ("850 米", "2.3 公里", "—" when unknown).
import { useI18n } from 'vue-i18n'
import { distanceParts, parseQuarter } from './visits'

export function useVisitText() {
  const { t } = useI18n()
  return {
    // An unreadable quarter shows as it came.
    quarterName(q: string): string {
      const p = parseQuarter(q)
      return p ? t('visits.quarterLabel', { y: p.year, n: p.n }) : q
    },
    dist(m: number | null | undefined): string {
      const p = distanceParts(m)
      return p ? t('visits.unit.' + p.unit, { n: p.n }) : '—'
    },
  }
}
