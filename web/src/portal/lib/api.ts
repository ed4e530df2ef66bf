// The public face's fetch wrapper: no sign-in, no cookies needed. Errors carry the server's
// (Chinese) message and the field it names, so forms show them beside the field.
export interface ApiErrorBody {
  code: string
  message: string
  fields?: Record<string, string>
}

export class ApiError extends Error {
  status: number
  code: string
  fields: Record<string, string>
  constructor(status: number, body: ApiErrorBody) {
    super(body.message)
    this.status = status
    this.code = body.code
    this.fields = body.fields ?? {}
  }
}

export function url(path: string, query?: Record<string, string | number | undefined | null>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    qs.set(k, String(v))
  }
  const s = qs.toString()
  return '/api/v1/public' + path + (s ? '?' + s : '')
}

async function send<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined | null>): Promise<T> {
  let res: Response
  try {
    res = await fetch(url(path, query), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    })
  } catch {
    throw new ApiError(0, { code: 'network', message: '网络不通,请稍后再试' })
  }
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    const b = (data ?? {}) as Partial<ApiErrorBody>
    throw new ApiError(res.status, { code: b.code ?? String(res.status), message: b.message ?? `请求失败(${res.status})`, fields: b.fields })
  }
  return data as T
}

export const get = <T>(path: string, query?: Record<string, string | number | undefined | null>) => send<T>('GET', path, undefined, query)
export const post = <T>(path: string, body: unknown) => send<T>('POST', path, body)

// Money arrives in fen and is shown in yuan with two decimals.
export function yuan(fen: number | null | undefined): string {
  const v = (fen ?? 0) / 100
  return v.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}
