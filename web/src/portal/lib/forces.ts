// 社会力量 public page's data (GET /api/v1/public/forces/{code}, internal/partners ForcesPage) and
// the small pure helpers it needs: a deputy's title key pair, bar widths, hours, the recent list
// and a guard that no 11-digit phone slipped into what is shown.

export interface RegionRef {
  code: string
  name: string
  level: string
}

// The enclosing regions and those below, from GET /api/v1/public/regions/{code}.
export interface RegionNav {
  code: string
  name: string
  level: string
  path: RegionRef[]
  children: RegionRef[]
}

export interface PublicProvider {
  id: number
  kind: string
  name: string
  contact_person: string
  region_code: string
  region_name: string
  services: string[] | null
  status: string
  service_count: number
  service_hours: number
  last_served_on: string | null
}

export interface PublicPairing {
  id: number
  kind: string
  deputy_name: string
  deputy_kind: string
  deputy_level: string
  enterprise: string
  village_code: string
  village_name: string
  since: string
  status: string
  commitment: string
  pledged_fen: number
  delivered_fen: number
  activities: number
}

export interface PublicActivity {
  id: number
  pairing_id: number
  on_date: string
  title: string
  content: string
  value_fen: number
  people: number
  source?: string
}

export interface ForcesPage {
  code: string
  name: string
  firms: PublicProvider[] | null
  volunteers: number
  service_records: number
  service_hours: number
  deputies: PublicPairing[] | null
  enterprises: PublicPairing[] | null
  recent: PublicActivity[] | null
  entrepreneurs: { total: number; capital: number; project: number; technology: number }
  as_of?: string
}

export const willingKeys = ['capital', 'project', 'technology'] as const

/** The i18n keys of a deputy's title, shown as 级别 + 身份 (乡镇 + 人大代表). */
export function deputyTitle(kind: string, level: string): [string, string] {
  return [`forces.level.${level}`, `forces.deputyKind.${kind}`]
}

/** Vant tag type per level: a national deputy stands out from a township one. */
export function levelTagType(level: string): 'danger' | 'warning' | 'primary' | 'success' | 'default' {
  const m: Record<string, 'danger' | 'warning' | 'primary' | 'success'> = { national: 'danger', province: 'danger', city: 'warning', county: 'primary', town: 'success' }
  return m[level] ?? 'default'
}

/** Width in per cent of a bar for part of whole (0–100, whole numbers; 0 when whole is 0). */
export function barPct(part: number, whole: number): number {
  if (!whole || whole <= 0 || !part || part <= 0) return 0
  return Math.min(100, Math.round((part / whole) * 100))
}

/** Hours: whole numbers plain, otherwise one decimal. */
export function hours(h: number | null | undefined): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return '0'
  return Number.isInteger(h) ? h.toLocaleString('zh-CN') : h.toFixed(1)
}

/** The latest activities first by date, at most n; same-day items keep the server's order
 * (service records and pairing activities have ids of their own, so ids do not compare). */
export function latest(items: PublicActivity[] | null | undefined, n = 10): PublicActivity[] {
  return [...(items ?? [])].sort((a, b) => (a.on_date === b.on_date ? 0 : a.on_date < b.on_date ? 1 : -1)).slice(0, n)
}

// A mainland mobile number: 11 digits starting 1[3-9], not inside a longer run of digits.
const phoneRe = /(^|\D)1[3-9]\d{9}(?!\d)/

/** Whether text holds something that looks like a full (unmasked) mobile number. */
export function hasPhone(text: string): boolean {
  return phoneRe.test(text)
}

/** The breadcrumb trail: the enclosing regions below the city, then the region itself. */
export function crumbs(nav: RegionNav | null): RegionRef[] {
  if (!nav) return []
  return [...(nav.path ?? []).filter((r) => r.level !== 'city'), { code: nav.code, name: nav.name, level: nav.level }]
}
