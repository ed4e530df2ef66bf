// Repeated wrong passwords are throttled by the server (429); the sign-in page
// shows the server's message instead of a generic failure.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { launchBrowser, newPage, shot, signIn, startServer } from './server.mjs'

describe('sign-in throttling', { skip: process.env.SUNSHINE_URL ? 'would lock out a shared server' : false }, () => {
  let server
  let browser

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows the 429 message after too many failures', async () => {
    const page = await newPage(browser)
    const statuses = []
    page.on('response', (r) => r.url().endsWith('/api/v1/auth/login') && statuses.push(r.status()))
    let text = ''
    for (let i = 0; i < 20 && !statuses.includes(429); i++) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
      await signIn(page, server.url, 'admin', `wrong-${i}`)
      await answered
      await page.locator('[data-test=login-error]').waitFor()
      text = (await page.locator('[data-test=login-error]').innerText()).trim()
    }
    assert.ok(statuses.includes(429), `the server throttled: ${statuses.join()}`)
    assert.equal(statuses[0], 401)
    assert.match(text, /[\u4e00-\u9fff]/, text)
    assert.doesNotMatch(text, /^用户名或密码错误$/, 'the throttling message differs from the wrong-password one')
    await shot(page, '02b-login-throttled')
    await page.context().close()
  })
})
