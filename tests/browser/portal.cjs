// The merchant portal and the e-receipt in a real browser: Debian's
// Chromium driven by playwright-core, against the real gateway process
// (mpos-testbed: the gateway over TLS with a test clock, a loopback SMTP
// server, the fake SMS provider, and phones running the real core).
//
// The whole administrator journey, then the attacks, then every page in
// both languages for docs/portal/. Prints `N passed, N failed` last.
'use strict';

const { chromium } = require('playwright-core');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const readline = require('node:readline');
const assert = require('node:assert/strict');

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'docs', 'portal');
const TESTBED = process.env.MPOS_TESTBED || path.join(ROOT, 'target', 'debug', 'mpos-testbed');
const CHROMIUM = process.env.MPOS_CHROMIUM || '/usr/bin/chromium';
const DESKTOP = { width: 1100, height: 760 };
const PHONE = { width: 390, height: 844 };

// ---- TOTP (RFC 6238) written here from the RFC, independently of the gateway's crate.

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key, counter, digits) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(number % 10 ** digits).padStart(digits, '0');
}

function totp(secretBase32, unixSeconds) {
  return hotp(base32Decode(secretBase32), Math.floor(unixSeconds / 30), 6);
}

// ---- The world: mpos-testbed and its control API.

function startTestbed() {
  const child = spawn(TESTBED, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('mpos-testbed not ready in 120 s')), 120000);
    lines.on('line', (line) => {
      let ready;
      try { ready = JSON.parse(line); } catch { return; }
      if (ready.event === 'ready') {
        clearTimeout(timer);
        resolve({ child, ...ready });
      }
    });
    child.on('exit', (code) => reject(new Error(`mpos-testbed exited with ${code}`)));
  });
}

async function control(bed, method, route, body) {
  const response = await fetch(bed.control_url + route, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
  return response.json();
}

// The gateway's test clock, moved only forward.
class Clock {
  constructor(bed, start) { this.bed = bed; this.now = Date.parse(start) / 1000; }
  async set(iso) { this.now = Date.parse(iso) / 1000; await control(this.bed, 'POST', '/clock', { now: iso }); }
  async advance(seconds) { await this.set(new Date((this.now + seconds) * 1000).toISOString()); }
}

// ---- A tiny runner: each test named, run in order, counted.

const tests = [];
function test(name, body) { tests.push({ name, body }); }

async function shot(page, name, options = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: options.fullPage ?? false });
}

// ---- Portal steps.

async function signIn(page, world, admin, shotName) {
  await page.goto(world.base + '/portal/login');
  if (page.url().endsWith('/portal/users')) return 'signed_in';
  await page.fill('#username', admin.username);
  await page.fill('#password', admin.password);
  await Promise.all([page.waitForLoadState(), page.click('form[action="/portal/login"] button[type=submit]')]);
  if (page.url().endsWith('/portal/enrol')) return 'enrol';
  assert.match(page.url(), /\/portal\/second-factor$/);
  // A fresh time step: a code is accepted once.
  await world.clock.advance(31);
  await page.fill('#code', totp(admin.secret, world.clock.now));
  if (shotName) await shot(page, shotName);
  await Promise.all([page.waitForURL(/\/portal\/users$/), page.click('button[type=submit]:not(.link)')]);
  return 'signed_in';
}

async function enrol(page, world, admin, locale) {
  assert.equal(await signIn(page, world, admin), 'enrol');
  assert.equal(await page.locator('.qr svg').count(), 1, 'the enrolment QR code');
  admin.secret = (await page.textContent('#secret')).replace(/\s/g, '');
  await shot(page, `enrol.${locale}`);
  await page.fill('#code', totp(admin.secret, world.clock.now));
  await Promise.all([page.waitForLoadState(), page.click('button[type=submit]:not(.link)')]);
  const codes = await page.locator('#recovery-codes li').allTextContents();
  assert.equal(codes.length, 10);
  await shot(page, `recovery.${locale}`);
  await Promise.all([page.waitForURL(/\/portal\/users$/), page.click('a.button')]);
  return codes;
}

async function newAdmin(world, username, name) {
  const created = await control(world.bed, 'POST', '/admins', { username, name, email: `${username}@shop.example` });
  assert.ok(created.password, JSON.stringify(created));
  assert.equal(created.password.length, 16);
  return { username, password: created.password };
}

async function addUser(page, world, user) {
  await page.goto(world.base + '/portal/users/new');
  await page.fill('#name', user.name);
  await page.fill('#phone', user.phone);
  await page.fill('#email', user.email);
  await page.fill('#per_transaction', '50,000');
  await page.fill('#per_day', '200000');
  await Promise.all([page.waitForLoadState(), page.click('form[action="/portal/users"] button[type=submit]')]);
}

function line(text, prefix) {
  const found = text.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(found, `a line starting ${prefix} in ${text}`);
  return found.slice(prefix.length).trim();
}

// ---- The journey and the attacks.

const world = {};

test('our TOTP agrees with RFC 6238 appendix B', async () => {
  const seed = Buffer.from('12345678901234567890');
  for (const [time, code] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [2000000000, '69279037']]) {
    assert.equal(hotp(seed, Math.floor(time / 30), 8), code);
  }
});

test('the first administrator is created by the gateway command', async () => {
  world.boss = await newAdmin(world, 'boss', '陳店長');
  const again = await control(world.bed, 'POST', '/admins', { username: 'boss', name: 'x', email: 'x@shop.example' });
  assert.match(again.error, /already exists/);
});

test('signing in asks to enrol an authenticator, then shows the recovery codes once', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal');
  assert.match(page.url(), /\/portal\/login$/);
  await shot(page, 'login.zh-TW');
  world.boss.recovery = await enrol(page, world, world.boss, 'zh-TW');
  assert.equal(await page.textContent('h1'), '行動裝置使用者');
});

test('the administrator adds a phone user; the activation e-mail and SMS arrive', async () => {
  const page = world.zh;
  world.mei = { name: '林小美', phone: '0912000111', email: 'mei@shop.example' };
  await addUser(page, world, world.mei);
  await shot(page, 'user.zh-TW');
  assert.match(await page.textContent('.notice'), /簡訊（啟動驗證碼）/);
  assert.match(await page.textContent('#user-status'), /待啟用/);
  const mail = await control(world.bed, 'GET', '/mail/last?to=' + encodeURIComponent(world.mei.email));
  assert.ok(mail && mail.text, 'the activation e-mail arrived');
  world.mei.username = line(mail.text, '帳號 Account: ');
  world.mei.defaultPassword = line(mail.text, '預設密碼 Default password: ');
  const sms = await control(world.bed, 'GET', '/sms/last?to=' + world.mei.phone);
  assert.ok(sms && sms.message, 'the activation SMS arrived');
  world.mei.code = sms.message.match(/Activation code: (\d{6})/)[1];
});

test('the user activates through the core and rings up a signed chip sale', async () => {
  const login = await control(world.bed, 'POST', '/phones/first-login', {
    username: world.mei.username, default_password: world.mei.defaultPassword, activation_code: world.mei.code,
  });
  assert.equal(login.home, true);
  const { transaction } = await control(world.bed, 'POST', '/phones/sale', {
    username: world.mei.username, dollars: 4800, brand: 'visa', card: 'VisaChipApproved',
  });
  assert.equal(transaction.status, 'approved');
  assert.equal(transaction.signed, true);
  world.sale = transaction;
  const page = world.zh;
  await page.reload();
  assert.match(await page.textContent('#user-status'), /使用中/);
});

test('the sale appears in the portal, found by last 4 and authorization code', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal/transactions');
  assert.match(await page.textContent('#transactions'), new RegExp(world.sale.auth_code));
  await shot(page, 'transactions.zh-TW');
  await page.fill('#last4', '1111');
  await page.fill('#auth', world.sale.auth_code);
  await Promise.all([page.waitForLoadState(), page.click('#filters button[type=submit]')]);
  assert.equal(await page.textContent('#matching'), '符合筆數：1');
  await page.fill('#last4', '9999');
  await Promise.all([page.waitForLoadState(), page.click('#filters button[type=submit]')]);
  assert.equal(await page.textContent('#matching'), '符合筆數：0');
  await page.goto(world.base + '/portal/transactions?status=approved&settled=unsettled');
  await Promise.all([page.waitForLoadState(), page.click('#transactions tbody a')]);
  const receipt = await page.textContent('#receipt');
  for (const fact of ['411111******1111', 'NT$4,800', world.sale.auth_code, world.sale.invoice_no, '晶片', 'Asia/Taipei']) {
    assert.ok(receipt.includes(fact), `${fact} in ${receipt}`);
  }
  assert.ok(!receipt.includes('4111111111111111'), 'never the full card number');
  assert.equal(await page.locator('#signature svg polyline').count() > 0, true, 'the signature is drawn');
  await shot(page, 'transaction.zh-TW', { fullPage: true });
});

test('the e-receipt the QR code opens: mobile-first, masked, signed, with security headers', async () => {
  const page = await world.phoneContext.newPage();
  const response = await page.goto(world.sale.receipt_url);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  const facts = await page.textContent('#facts');
  for (const fact of ['411111******1111', world.sale.auth_code, world.sale.invoice_no, '晶片 CHIP', 'Asia/Taipei', '核准 APPROVED']) {
    assert.ok(facts.includes(fact), `${fact} in ${facts}`);
  }
  assert.ok((await page.locator('#signature svg polyline').count()) > 0);
  // Nothing wider than the phone's screen.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the receipt fits a phone (${width}px)`);
  await shot(page, 'receipt', { fullPage: true });
  await page.close();
});

test('settlement shows the pending capture and the 23:00 cut-off, then the batch', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal/settlement');
  assert.match(await page.textContent('#cutoff'), /23:00:00 \(Asia\/Taipei\)/);
  assert.match(await page.textContent('#pending'), /NT\$4,800/);
  await shot(page, 'settlement-pending.zh-TW', { fullPage: true });
  // 23:00:05 in Taipei: the scheduler settles on its own.
  await world.clock.set('2030-03-10T15:00:05Z');
  let batches = [];
  for (let i = 0; i < 100 && batches.length === 0; i++) {
    batches = (await control(world.bed, 'GET', '/batches')).batches;
    if (batches.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(batches.length, 1, 'the automatic settlement closed a batch');
  // Thirteen hours idle: the portal signs the administrator out.
  await page.goto(world.base + '/portal/settlement');
  assert.match(page.url(), /\/portal\/login\?ended=1$/);
  assert.match(await page.textContent('.notice'), /閒置過久/);
  await signIn(page, world, world.boss, 'second-factor.zh-TW');
  await page.goto(world.base + '/portal/settlement');
  const shown = await page.textContent('#batches');
  for (const fact of [batches[0].id, 'VISA', 'NT$4,800', '自動（23:00）']) {
    assert.ok(shown.includes(fact), `${fact} in ${shown}`);
  }
  assert.match(await page.textContent('#pending'), /目前沒有待結帳交易/);
  await shot(page, 'settlement.zh-TW', { fullPage: true });
});

test('the CSV export downloads what the filter matches', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal/transactions?settled=settled');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '');
  const [header, ...rows] = csv.trim().split('\r\n');
  assert.match(header, /^transaction_id,time_taipei,business_date,user,account,terminal_id,kind,status,amount/);
  assert.equal(rows.length, 1, csv);
  for (const fact of [world.sale.auth_code, '4800.00', 'TWD', 'visa', '411111******1111', world.mei.username]) {
    assert.ok(rows[0].includes(fact), `${fact} in ${rows[0]}`);
  }
  assert.ok(!csv.includes('4111111111111111'));
});

test('API tokens: one per administrator, shown once, revoked at once', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal/tokens');
  await page.fill('#label', 'ERP 匯出');
  await Promise.all([page.waitForLoadState(), page.click('form[action="/portal/tokens"] button[type=submit]')]);
  const token = (await page.textContent('#new-token')).trim();
  await shot(page, 'tokens.zh-TW');
  const api = (t) => page.request.get(world.base + '/v1/admin/users', { headers: { authorization: `Bearer ${t}` } });
  assert.equal((await api(token)).status(), 200);
  const row = page.locator('#tokens tr', { hasText: 'ERP 匯出' });
  await Promise.all([page.waitForLoadState(), row.locator('button').click()]);
  assert.match(await page.textContent('.notice'), /已撤銷/);
  assert.equal((await api(token)).status(), 401);
});

test('attack: a form posted without its CSRF token changes nothing', async () => {
  const page = world.zh;
  const form = { name: 'Mallory', phone: '0911999888', email: 'mallory@evil.example', per_transaction: '1', per_day: '1' };
  const direct = await page.request.post(world.base + '/portal/users', { form, maxRedirects: 0 });
  assert.equal(direct.status(), 403);
  // The same form from another site, submitting itself as the page loads.
  const evil = http.createServer((_, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form id=f method=post action="${world.base}/portal/users">` +
      Object.entries({ ...form, csrf: 'guessed' }).map(([k, v]) => `<input name=${k} value="${v}">`).join('') +
      '</form><script>document.getElementById("f").submit()</script>');
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const attacked = await world.zhContext.newPage();
  await attacked.goto(`http://127.0.0.1:${evil.address().port}/`);
  await attacked.waitForLoadState();
  await attacked.waitForTimeout(500);
  evil.close();
  await attacked.close();
  assert.equal(await control(world.bed, 'GET', '/sms/last?to=0911999888'), null, 'no user was created');
  await page.goto(world.base + '/portal/users');
  assert.ok(!(await page.textContent('#users')).includes('Mallory'));
});

test('attack: script in a user\'s name is shown as text on every page', async () => {
  const page = world.zh;
  const name = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; d.dismiss(); });
  await addUser(page, world, { name, phone: '0912000222', email: 'xss@shop.example' });
  const detail = page.url();
  for (const target of [detail, world.base + '/portal/users', world.base + '/portal/audit', world.base + '/portal/transactions']) {
    await page.goto(target);
    assert.equal(await page.locator('script').count(), 0, target);
    assert.equal(await page.locator('img').count(), 0, target);
    assert.equal(await page.evaluate(() => window.pwned), undefined, target);
  }
  await page.goto(world.base + '/portal/users');
  assert.ok((await page.textContent('#users')).includes(name), 'the name is shown as typed');
  assert.equal(dialogs, 0);
});

test('the audit log shows who did what, when and from where', async () => {
  const page = world.zh;
  await page.goto(world.base + '/portal/audit');
  const log = await page.textContent('#audit');
  for (const entry of ['建立管理者', '設定兩步驟驗證', '登入', '新增使用者', '匯出交易', '建立 API 金鑰', '撤銷 API 金鑰', 'boss', '127.0.0.1', '2030-03-10']) {
    assert.ok(log.includes(entry), `${entry} in the audit log`);
  }
  assert.equal(await page.locator('#audit form, #audit button').count(), 0, 'nothing to edit');
  await shot(page, 'audit.zh-TW', { fullPage: true });
});

test('attack: a session cookie replayed after sign-out opens nothing', async () => {
  const page = world.zh;
  const cookies = await world.zhContext.cookies();
  assert.ok(cookies.some((c) => c.name === '__Host-mpos_portal' && c.httpOnly && c.secure && c.sameSite === 'Strict'));
  await Promise.all([page.waitForURL(/\/portal\/login\?out=1$/), page.click('header form button')]);
  const replay = await world.browser.newContext({ ignoreHTTPSErrors: true });
  await replay.addCookies(cookies);
  const thief = await replay.newPage();
  for (const target of ['/portal/users', '/portal/transactions.csv', '/portal/audit']) {
    const response = await thief.goto(world.base + target);
    assert.match(thief.url(), /\/portal\/login$/, target);
    assert.equal(response.status(), 200);
  }
  await replay.close();
});

test('every page in English, through the language switch', async () => {
  const context = await world.browser.newContext({ ignoreHTTPSErrors: true, viewport: DESKTOP, locale: 'zh-TW' });
  const page = await context.newPage();
  await page.goto(world.base + '/portal/login');
  assert.equal(await page.textContent('h1'), '管理者登入', 'a zh-TW browser gets 中文 first');
  await Promise.all([page.waitForURL(/\/portal\/login$/), page.click('a.lang')]);
  assert.equal(await page.textContent('h1'), 'Administrator sign-in');
  await shot(page, 'login.en');
  const manager = await newAdmin(world, 'manager', 'Grace Lin');
  await enrol(page, world, manager, 'en');
  await shot(page, 'users.en');
  const amy = { name: 'Amy Chen', phone: '0912000333', email: 'amy@shop.example' };
  await addUser(page, world, amy);
  assert.match(await page.textContent('.notice'), /an SMS \(activation code\)/);
  await shot(page, 'user.en');
  // Her first sale, on JCB (no signature), before tonight's cut-off.
  const mail = await control(world.bed, 'GET', '/mail/last?to=' + encodeURIComponent(amy.email));
  const sms = await control(world.bed, 'GET', '/sms/last?to=' + amy.phone);
  amy.username = line(mail.text, '帳號 Account: ');
  const login = await control(world.bed, 'POST', '/phones/first-login', {
    username: amy.username,
    default_password: line(mail.text, '預設密碼 Default password: '),
    activation_code: sms.message.match(/Activation code: (\d{6})/)[1],
  });
  assert.equal(login.home, true);
  const { transaction } = await control(world.bed, 'POST', '/phones/sale', {
    username: amy.username, dollars: 350, brand: 'jcb', card: 'JcbNoSignature',
  });
  assert.equal(transaction.signed, false);
  // New limits for her, said back on the page.
  await page.reload();
  await page.fill('#limits #per_transaction', '2000');
  await page.fill('#limits #per_day', '10,000');
  await Promise.all([page.waitForLoadState(), page.click('#limits button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /Limits saved/);
  assert.equal(await page.inputValue('#limits #per_day'), '10000');
  await page.goto(world.base + '/portal/settlement');
  assert.match(await page.textContent('#pending'), /NT\$350/);
  await shot(page, 'settlement-pending.en', { fullPage: true });
  await page.goto(world.base + '/portal/users/usr_nobody');
  assert.match(await page.textContent('main'), /does not exist/);
  await shot(page, 'not-found.en');
  await page.goto(world.base + '/portal/users/new');
  await shot(page, 'user-new.en');
  await page.goto(world.base + '/portal/transactions');
  await shot(page, 'transactions.en');
  await Promise.all([page.waitForLoadState(), page.click('#transactions tbody tr:last-child a')]);
  assert.match(await page.textContent('#receipt'), /Chip/);
  await shot(page, 'transaction.en', { fullPage: true });
  await page.goto(world.base + '/portal/settlement');
  assert.match(await page.textContent('#batches'), /Automatic \(23:00\)/);
  await shot(page, 'settlement.en', { fullPage: true });
  await page.goto(world.base + '/portal/audit');
  await shot(page, 'audit.en', { fullPage: true });
  await page.goto(world.base + '/portal/tokens');
  await shot(page, 'tokens.en');
  await Promise.all([page.waitForURL(/\/portal\/login\?out=1$/), page.click('header form button')]);
  assert.match(await page.textContent('.notice'), /You have signed out/);
  await signIn(page, world, manager, 'second-factor.en');
  await context.close();
});

test('the remaining pages in 中文', async () => {
  const page = world.zh;
  await signIn(page, world, world.boss);
  await shot(page, 'users.zh-TW');
  await page.goto(world.base + '/portal/users/new');
  await shot(page, 'user-new.zh-TW');
  const missing = await page.goto(world.base + '/portal/users/usr_nobody');
  assert.equal(missing.status(), 404);
  await shot(page, 'not-found.zh-TW');
});

// ---- Measured (MPOS_BENCH=1): each page's time in this browser, medians of 25 loads.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

test('the portal is usable on a phone: nothing wider than the screen but the tables, which scroll', async () => {
  const context = await world.browser.newContext({ ignoreHTTPSErrors: true, viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-TW' });
  await context.addCookies(await world.zhContext.cookies());
  const page = await context.newPage();
  for (const target of ['/portal/users', '/portal/transactions', '/portal/settlement', '/portal/audit', '/portal/users/new']) {
    await page.goto(world.base + target);
    assert.match(page.url(), new RegExp(target.replace(/\//g, '\\/') + '$'), 'signed in on the phone too');
    const overflow = await page.evaluate(() => document.body.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${target} is ${overflow}px wider than the phone`);
  }
  await page.goto(world.base + '/portal/transactions');
  await shot(page, 'transactions.phone.zh-TW', { fullPage: true });
  await context.close();
});

if (process.env.MPOS_BENCH === '1') {
  test('measure: each page, server answer and page loaded (medians of 25)', async () => {
    const page = world.zh;
    await signIn(page, world, world.boss);
    const transaction = await (async () => {
      await page.goto(world.base + '/portal/transactions');
      return page.getAttribute('#transactions tbody a', 'href');
    })();
    const pages = [
      ['Phone users', '/portal/users'],
      ['Transactions (all, page 1)', '/portal/transactions'],
      ['Transactions filtered by last 4', '/portal/transactions?last4=1111'],
      ['A transaction with its signature', transaction],
      ['Settlement', '/portal/settlement'],
      ['Audit log', '/portal/audit'],
      ['The e-receipt', new URL(world.sale.receipt_url).pathname],
    ];
    const rows = [];
    for (const [name, target] of pages) {
      const answer = [];
      const loaded = [];
      for (let i = 0; i < 25; i++) {
        await page.goto(world.base + target);
        const timing = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return { answer: nav.responseEnd - nav.requestStart, loaded: nav.loadEventEnd - nav.startTime };
        });
        answer.push(timing.answer);
        loaded.push(timing.loaded);
      }
      rows.push({ name, answer: median(answer), loaded: median(loaded) });
    }
    const fastest = Math.min(...rows.map((r) => r.answer));
    const table = rows.map((r) => `| ${r.name} | ${r.answer.toFixed(1)} | ${r.loaded.toFixed(1)} | ${(r.answer / fastest).toFixed(2)}x |`).join('\n');
    const section = `## The merchant portal in Chromium

\`MPOS_BENCH=1 bash tests/browser.sh\`: each page loaded 25 times by headless
Chromium ${world.browser.version()} from the gateway process on this machine (debug
build, SQLite, the journey's data: a few users and transactions), signed in.
"Answer" is the request sent to the last byte received (the gateway's work
and TLS on loopback); "loaded" adds parsing, the style sheet and drawing.
Medians, measured in the same run; the ratio is each page's answer time to
the fastest page's.

| Page | Answer, ms | Loaded, ms | Answer vs fastest |
|---|---|---|---|
${table}
`;
    const writer = spawn(path.join(ROOT, 'target', 'debug', 'benchmark-section'), ['portal', path.join(ROOT, 'docs', 'benchmarks.md')], { stdio: ['pipe', 'inherit', 'inherit'] });
    writer.stdin.end(section);
    const code = await new Promise((r) => writer.on('exit', r));
    assert.equal(code, 0, 'benchmark-section wrote the report');
    console.log(section);
  });
}

test('an expired receipt link says so and shows nothing', async () => {
  // Ninety-one days later.
  await world.clock.advance(91 * 24 * 3600);
  const page = await world.phoneContext.newPage();
  const response = await page.goto(world.sale.receipt_url);
  assert.equal(response.status(), 410);
  const text = await page.textContent('body');
  assert.match(text, /簽單已下架 Receipt expired/);
  assert.ok(!text.includes('411111'), 'no card data once expired');
  await shot(page, 'receipt-expired');
  await page.close();
});

// ---- Main.

(async () => {
  let passed = 0;
  let failed = 0;
  let bed;
  let browser;
  try {
    bed = await startTestbed();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    world.bed = bed;
    world.base = bed.gateway_url;
    world.browser = browser;
    world.clock = new Clock(bed, '2030-03-10T02:00:00Z');
    await world.clock.set('2030-03-10T02:00:00Z');
    world.zhContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: DESKTOP, locale: 'zh-TW' });
    world.zh = await world.zhContext.newPage();
    world.phoneContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: PHONE, isMobile: true, hasTouch: true });
  } catch (error) {
    console.log(`not ok - the world did not start: ${error.stack || error}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  for (const { name, body } of tests) {
    const started = Date.now();
    try {
      await body();
      passed++;
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n  ${String(error.stack || error).split('\n').join('\n  ')}`);
    }
  }
  await browser.close();
  bed.child.stdin.end();
  await new Promise((r) => { bed.child.on('exit', r); setTimeout(r, 10000); });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
