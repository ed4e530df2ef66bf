import { beforeEach, describe, expect, it, vi } from 'vitest'

const shown: string[] = []
vi.mock('element-plus', () => ({
  ElMessage: Object.assign((o: { message: string }) => shown.push(o.message), {
    error: (o: string | { message: string }) => shown.push(typeof o === 'string' ? o : o.message),
  }),
}))
vi.mock('element-plus/es/components/message/style/css', () => ({}))

const { ApiError, buildURL, request, setCsrfToken, setUnauthorizedHandler } = await import('./client')

async function fail(p: Promise<unknown>): Promise<InstanceType<typeof ApiError>> {
  try {
    await p
  } catch (e) {
    return e as InstanceType<typeof ApiError>
  }
  throw new Error('expected the request to fail')
}

interface Call {
  url: string
  init: RequestInit
}
let calls: Call[] = []

function respond(status: number, body?: unknown, headers: Record<string, string> = {}) {
  globalThis.fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} })
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    })
  }) as typeof fetch
}

beforeEach(() => {
  calls = []
  shown.length = 0
  setCsrfToken('tok123')
})

describe('buildURL', () => {
  it('drops empty parameters', () => {
    expect(buildURL('/households', { region: '320921000000', status: '', q: undefined, after: null, limit: 20 })).toBe(
      '/api/v1/households?region=320921000000&limit=20',
    )
    expect(buildURL('/auth/me')).toBe('/api/v1/auth/me')
  })
})

describe('request', () => {
  it('sends the CSRF header on writes only', async () => {
    respond(200, { ok: true })
    await request('GET', '/users')
    await request('PATCH', '/users/1', { body: { disabled: true } })
    await request('DELETE', '/tokens/3')
    const h = (i: number) => calls[i].init.headers as Record<string, string>
    expect(h(0)['X-CSRF-Token']).toBeUndefined()
    expect(h(1)['X-CSRF-Token']).toBe('tok123')
    expect(h(1)['Content-Type']).toBe('application/json')
    expect(calls[1].init.body).toBe('{"disabled":true}')
    expect(h(2)['X-CSRF-Token']).toBe('tok123')
  })

  it('turns an error body into an ApiError and shows its message', async () => {
    respond(409, { code: 'conflict', message: '用户名已存在', fields: { username: '已存在' } })
    const err = await fail(request('POST', '/users', { body: {} }))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(409)
    expect(err.code).toBe('conflict')
    expect(err.fields).toEqual({ username: '已存在' })
    expect(shown).toEqual(['用户名已存在'])
  })

  it('stays quiet when asked to', async () => {
    respond(400, { code: 'invalid', message: '参数错误' })
    await fail(request('POST', '/x', { body: {}, quiet: true }))
    expect(shown).toEqual([])
  })

  it('uses the server message for 429 and falls back to Retry-After', async () => {
    respond(429, { code: 'throttled', message: '登录尝试过多，请稍后再试' }, { 'Retry-After': '30' })
    let err = await fail(request('POST', '/auth/login', { body: {}, quiet: true }))
    expect(err.message).toBe('登录尝试过多，请稍后再试')
    expect(err.retryAfter).toBe(30)
    globalThis.fetch = vi.fn(async () => new Response('Too Many Requests', { status: 429, headers: { 'Retry-After': '12' } })) as typeof fetch
    err = await fail(request('POST', '/auth/login', { body: {}, quiet: true }))
    expect(err.status).toBe(429)
    expect(err.message).toBe('操作过于频繁，请 12 秒后再试')
  })

  it('sends the user to sign-in on 401 unless told not to', async () => {
    const onUnauth = vi.fn()
    setUnauthorizedHandler(onUnauth)
    respond(401, { code: 'unauthorized', message: '请先登录' })
    await request('GET', '/users').catch(() => undefined)
    expect(onUnauth).toHaveBeenCalledTimes(1)
    await request('GET', '/auth/me', { noRedirect: true, quiet: true }).catch(() => undefined)
    expect(onUnauth).toHaveBeenCalledTimes(1)
    expect(shown).toEqual([])
  })

  it('answers 204 with undefined', async () => {
    respond(204)
    expect(await request('DELETE', '/tokens/1')).toBeUndefined()
  })
})
