// A helper takes down a villager's complaint on the phone (代为反映问题) with no network: it
// waits in the queue, is sent when the network returns, shows the tracking code to give the
// villager, and the office sees exactly one complaint however often sync is pressed or the
// request is replayed (the phone's client_id).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiSession, launchBrowser, newPage, phone, PASSWORD, shot, startServer } from './server.mjs'

const HELPER = 'helper_320921100'
const OFFICE = 'poverty_office_320921'

async function fieldLogin(base, username) {
  const r = await fetch(base + '/api/v1/field/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, device: 'e2e' }),
  })
  assert.equal(r.status, 200, `field login ${username}: ${r.status}`)
  return (await r.json()).token
}

// The office's field complaints about a household, following the pages.
async function complaintsAbout(office, householdNo) {
  const out = []
  let after = ''
  for (;;) {
    const r = await office.get(`/complaints?region=320921000000&limit=100${after ? '&after=' + after : ''}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out.push(...r.body.items.filter((c) => c.entity_type === 'household' && c.entity_ref === householdNo))
    if (!r.body.next) return out
    after = r.body.next
  }
}

describe('field app: complaints for villagers (代为反映)', () => {
  let server
  let browser
  let token
  let households
  let office

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    token = await fieldLogin(server.url, HELPER)
    const r = await fetch(server.url + '/api/v1/field/households', { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(r.status, 200)
    households = (await r.json()).households
    assert.ok(households.length >= 1, `${HELPER} has no households`)
    office = await apiSession(server.url, OFFICE)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('queues offline, sends exactly once, shows the tracking code', async () => {
    const page = await newPage(browser, phone)
    const context = page.context()
    const h = households[0]
    const before = await complaintsAbout(office, h.household_no)

    const posts = []
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/complaints') && r.method() === 'POST') posts.push(r.postData())
    })

    await page.goto(server.url + '/m/')
    await page.waitForURL(/\/m\/login$/)
    await page.locator('[data-test=field-username] input').fill(HELPER)
    await page.locator('[data-test=field-password] input').fill(PASSWORD)
    await page.locator('[data-test=field-login]').click()
    await page.locator(`[data-test=household-${h.id}]`).waitFor()
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30000 })

    // No network from here on.
    await context.setOffline(true)
    await page.reload()
    await page.locator('[data-test=banner-offline]').waitFor()
    await page.locator(`[data-test=household-${h.id}]`).click()
    await page.locator('[data-test=household-card]').waitFor()
    await page.locator('[data-test=household-complaints]').evaluate((e) => e.scrollIntoView({ block: 'center' }))
    await shot(page, 'field-complaint-1-household')
    await page.locator('[data-test=new-complaint]').click()
    await page.locator('[data-test=complaint-form]').waitFor()

    // Saving an empty form names what is missing, and queues nothing.
    await page.locator('[data-test=complaint-save]').click()
    await page.locator('[data-test=error-category]').waitFor()
    await page.locator('[data-test=error-subject]').waitFor()
    await page.locator('[data-test=error-content]').waitFor()

    await page.locator('[data-test=complaint-category-funds]').click()
    await page.locator('[data-test=complaint-subject] input').fill('五月低保金未到账')
    await page.locator('[data-test=complaint-content] textarea').fill('户主反映五月份的低保金至今没有到账,村里说已经发了。<b>请核实</b>')
    // Named: the head of the household is filled in; the phone number is the villager's.
    assert.equal(await page.locator('[data-test=complaint-name] input').inputValue(), h.head_name)
    await page.locator('[data-test=complaint-phone] input').fill('13800001234')
    await page.locator('.van-toast:visible').waitFor({ state: 'hidden', timeout: 5000 })
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'field-complaint-2-form')
    await page.locator('[data-test=complaint-phone]').evaluate((e) => e.scrollIntoView({ block: 'center' }))
    await shot(page, 'field-complaint-2b-form-who')
    await page.locator('[data-test=complaint-save]').click()

    await page.waitForURL(/\/m\/queue$/)
    const item = page.locator('[data-test=complaint-item]')
    await item.waitFor()
    assert.equal(await item.count(), 1)
    assert.equal(await item.getAttribute('data-state'), 'waiting')
    assert.match(await item.textContent(), /待送出/)
    assert.match(await page.locator('[data-test=tab-queue]').textContent(), /1/)
    await page.locator('.van-toast:visible').waitFor({ state: 'hidden', timeout: 5000 })
    await shot(page, 'field-complaint-3-queued')
    assert.equal(posts.length, 0, 'nothing was sent while offline')
    const clientId = await item.getAttribute('data-client-id')

    // Back online: the 'online' event sends it; the tracking code appears on the item.
    await context.setOffline(false)
    await page.locator('[data-test=complaint-item][data-state=sent]').waitFor({ timeout: 30000 })
    const code = (await page.locator('[data-test=complaint-code] .code').textContent()).trim()
    assert.match(code, /^TS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    await shot(page, 'field-complaint-4-sent')

    // Pressing sync again sends nothing more.
    const sent = posts.length
    assert.equal(sent, 1)
    await page.locator('[data-test=sync-now]').click()
    await page.locator('[data-test=sync-now]:not([disabled])').waitFor()
    assert.equal(posts.length, sent, 'a sent complaint is not sent again')

    // The request replayed as it was (a lost answer, a retry) answers the same code.
    const body = JSON.parse(posts[0])
    assert.equal(body.client_id, clientId)
    assert.equal(body.channel, 'field')
    assert.equal(body.entity_ref, h.household_no)
    for (let i = 0; i < 2; i++) {
      const r = await fetch(server.url + '/api/v1/complaints', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: posts[0],
      })
      assert.ok(r.status === 200 || r.status === 201, `replay: ${r.status}`)
      assert.equal((await r.json()).tracking_code, code)
    }

    // The office sees exactly one new complaint, in the household's village, as a field complaint.
    const now = await complaintsAbout(office, h.household_no)
    const fresh = now.filter((c) => !before.some((b) => b.id === c.id))
    assert.equal(fresh.length, 1, JSON.stringify(fresh))
    assert.equal(fresh[0].tracking_code, code)
    assert.equal(fresh[0].channel, 'field')
    assert.equal(fresh[0].region_code, h.region_code)
    assert.equal(fresh[0].category, 'funds')
    assert.equal(fresh[0].anonymous, false)
    assert.equal(fresh[0].complainant_phone, '138****1234')
    // The villager follows it by the code on the public page.
    const pub = await fetch(`${server.url}/api/v1/public/complaints/${code}`)
    assert.equal(pub.status, 200)
    const pb = await pub.json()
    assert.equal(pb.subject, '五月低保金未到账')
    assert.equal(pb.status, 'received')

    // The household page lists it with the code.
    await page.goto(`${server.url}/m/h/${h.id}`)
    await page.locator(`[data-test=household-complaint-${clientId}]`).waitFor()
    assert.match(await page.locator(`[data-test=household-complaint-${clientId}]`).textContent(), new RegExp(code))
    assert.deepEqual(page.jsErrors, [])
  })
})
