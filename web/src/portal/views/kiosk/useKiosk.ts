// What every kiosk screen shares: the kept ?town/?idle, the town's page (name and villages),
// and the way to a screen or back to the start. Provided by KioskLayout.vue.
import { inject, type InjectionKey, type Ref } from 'vue'

export interface RegionRef {
  code: string
  name: string
  level: string
}

export interface KioskContext {
  keep: Ref<Record<string, string>>
  townCode: Ref<string>
  townName: Ref<string>
  go: (path: string) => void
  home: () => void
}

export const kioskKey: InjectionKey<KioskContext> = Symbol('kiosk')

export function useKiosk(): KioskContext {
  const k = inject(kioskKey)
  if (!k) throw new Error('kiosk screen outside KioskLayout')
  return k
}

// The city's root region (the demo's and the installation's top).
export const CITY = '320900000000'
