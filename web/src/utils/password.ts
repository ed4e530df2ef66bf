// A hint for the person typing a new password; the server decides what it accepts.
// 0 very weak … 4 strong.
export function passwordStrength(pw: string): number {
  if (!pw) return 0
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  let score = 0
  if (pw.length >= 8) score++
  if (pw.length >= 10 && classes >= 3) score++
  if (pw.length >= 12 && classes >= 3) score++
  if (classes === 4 && pw.length >= 10) score++
  if (/^(.)\1+$/.test(pw) || /^(?:0123456789|123456|password|qwerty)/i.test(pw)) score = 0
  return Math.min(score, 4)
}
