// Calendar arithmetic in Asia/Shanghai (UTC+8 all year, no daylight saving), whatever the
// phone's own time zone: the quarter a visit counts for and the visit-time input.

const offsetMs = 8 * 3600 * 1000

function shanghai(d: Date) {
  const t = new Date(d.getTime() + offsetMs)
  return {
    y: t.getUTCFullYear(),
    m: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    hh: t.getUTCHours(),
    mm: t.getUTCMinutes(),
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

// quarterOf is "YYYYQn" of a time in Shanghai; "" for an invalid time.
export function quarterOf(v: Date | string | number): string {
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return ''
  const p = shanghai(d)
  return `${p.y}Q${Math.floor((p.m - 1) / 3) + 1}`
}

// toShanghaiInput is the value of an <input type="datetime-local"> showing the time in
// Shanghai: "YYYY-MM-DDTHH:mm".
export function toShanghaiInput(v: Date | string): string {
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return ''
  const p = shanghai(d)
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.hh)}:${pad(p.mm)}`
}

// fromShanghaiInput reads "YYYY-MM-DDTHH:mm[:ss]" as a Shanghai wall-clock time.
export function fromShanghaiInput(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim())
  if (!m) return null
  const [y, mo, d, hh, mm, ss] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number)
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) return null
  const t = Date.UTC(y, mo - 1, d, hh, mm, ss) - offsetMs
  const out = new Date(t)
  // Reject 2026-02-31 and the like (Date.UTC rolls them over).
  if (shanghai(out).d !== d) return null
  return out
}
