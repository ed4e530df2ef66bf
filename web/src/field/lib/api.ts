// The field app's HTTP client: JSON with a Bearer token (no cookies, no CSRF). Errors are
// typed so the sync loop can tell "no network" (keep everything, try later) from "token
// expired" (keep everything, ask to sign in) from an answer of the server.

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>

export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network')
    this.name = 'NetworkError'
    this.cause = cause
  }
}

export class AuthError extends Error {
  constructor(message = 'unauthorized') {
    super(message)
    this.name = 'AuthError'
  }
}

export class HttpError extends Error {
  status: number
  code: string
  fields: Record<string, string>
  body: Record<string, unknown>
  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.message === 'string' && body.message ? body.message : `HTTP ${status}`)
    this.name = 'HttpError'
    this.status = status
    this.code = typeof body.code === 'string' ? body.code : ''
    this.fields = (body.fields as Record<string, string>) ?? {}
    this.body = body
  }
}

export interface CallOptions {
  token?: string
  body?: unknown
  raw?: BodyInit
  fetch?: FetchFn
  // noAuthError: a 401 is an ordinary answer (the sign-in form's wrong password).
  noAuthError?: boolean
}

async function readJSON(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text().catch(() => '')
  if (!text) return {}
  try {
    const v = JSON.parse(text)
    return v && typeof v === 'object' ? v : {}
  } catch {
    return { message: text.slice(0, 200) }
  }
}

// call sends one request to /api/v1<path> and answers the JSON body of a 2xx.
export async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const f = opts.fetch ?? ((i: string, init?: RequestInit) => fetch(i, init))
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`
  let body: BodyInit | undefined
  if (opts.raw !== undefined) {
    headers['Content-Type'] = 'application/octet-stream'
    body = opts.raw
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await f('/api/v1' + path, { method, headers, body, credentials: 'omit', cache: 'no-store' })
  } catch (e) {
    throw new NetworkError(e)
  }
  const json = await readJSON(res)
  if (res.status === 401 && !opts.noAuthError) throw new AuthError(String(json.message ?? ''))
  if (!res.ok) throw new HttpError(res.status, json)
  return json as T
}
