// GB 11643 resident ID numbers, checked in the browser only to give a hint while
// typing; the server validates again (internal/idcard) and its answer counts.
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const checks = '10X98765432'
const provinces = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
  65, 71, 81, 82, 91,
])

// The check character (ISO 7064 MOD 11-2) of the first 17 digits.
export function checkChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]
  return checks[sum % 11]
}

export interface IdInfo {
  ok: boolean
  // i18n key of the problem (idcard.*), with its parameter, when !ok
  error?: string
  param?: string
  birth?: string // YYYY-MM-DD
  sex?: 'male' | 'female'
}

// today is "YYYY-MM-DD" in Asia/Shanghai.
export function parseIdNumber(raw: string, today: string): IdInfo {
  const s = raw.trim().toUpperCase()
  if (s.length !== 18) return { ok: false, error: 'idcard.length', param: String(s.length) }
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, error: 'idcard.chars' }
  if (!provinces.has(Number(s.slice(0, 2)))) return { ok: false, error: 'idcard.region' }
  const y = Number(s.slice(6, 10))
  const m = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  const birth = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`
  if (m < 1 || m > 12 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900 || birth > today) {
    return { ok: false, error: 'idcard.birth' }
  }
  const want = checkChar(s)
  if (s[17] !== want) return { ok: false, error: 'idcard.checksum', param: want }
  return { ok: true, birth, sex: Number(s[16]) % 2 === 1 ? 'male' : 'female' }
}

// Full years between birth and on (both YYYY-MM-DD).
export function ageOn(birth: string, on: string): number {
  if (!birth || !on) return NaN
  let a = Number(on.slice(0, 4)) - Number(birth.slice(0, 4))
  if (on.slice(5) < birth.slice(5)) a--
  return a
}
