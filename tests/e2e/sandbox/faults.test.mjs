// The sandbox's extras from issue #3: the generated bearer token, the self-refreshing gallery,
// and opt-in fault injection (latency, 429 with Retry-After, 5xx, the raw request log), which
// must stay off unless asked for.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TERMINAL, capstan, errorShapeProblem, get, imagine, parsePng, pollJob, request, startSandbox,
} from './lib.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-sandbox-faults-'));
const running = [];
after(async () => {
  for (const sb of running) await sb.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
async function start(args, options) {
  const sb = await startSandbox(args, options);
  running.push(sb);
  return sb;
}

test('without --token a random token is generated, printed once, and is the only one accepted', async () => {
  const tokens = [];
  for (let i = 0; i < 2; ++i) {
    const sb = await start(['--speed', '0'], { token: null });
    const printed = /generated bearer token (\S+)/.exec(sb.stderr());
    assert.ok(printed, `the token is printed at start:\n${sb.stderr()}`);
    const token = printed[1];
    assert.ok(token.length >= 20, `long enough to be unguessable: ${token}`);
    tokens.push(token);
    const ok = await request(sb, 'GET', '/v1/jobs?limit=1', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200, 'the printed token is accepted');
    const wrong = await request(sb, 'GET', '/v1/jobs', { headers: { Authorization: `Bearer ${token}x` } });
    assert.equal(wrong.status, 401);
    assert.equal(sb.stderr().split(token).length - 1, 1, 'printed exactly once');
  }
  assert.notEqual(tokens[0], tokens[1], 'a new token per start');
});

test('a token given with --token is never printed', async () => {
  const sb = await start(['--speed', '0'], { token: 'tok-given-on-the-command-line' });
  assert.ok(!sb.stderr().includes('tok-given-on-the-command-line'), sb.stderr());
  assert.ok(!sb.stdout().includes('tok-given-on-the-command-line'));
});

test('fault injection is off by default: reserved ids are ordinary unknown jobs', async () => {
  const sb = await start(['--speed', '0']);
  for (const id of ['fault-429', 'fault-503', 'fault-html', 'fault-empty']) {
    const r = await get(sb, `/v1/jobs/${id}`);
    assert.equal(r.status, 404, `${id}: ${r.status}`);
    assert.equal(r.json.code, 'job_not_found');
  }
  for (const target of ['/_sandbox/requests', '/_sandbox/faults']) {
    assert.equal((await get(sb, target)).status, 404, target);
  }
});

test('reserved ids answer 429 with Retry-After, 5xx, HTML and empty 204 when faults are on', async () => {
  const sb = await start(['--speed', '0', '--faults', '--retry-after', '7']);
  const limited = await get(sb, '/v1/jobs/fault-429');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers['retry-after'], '7', 'RFC 9110 §10.2.3 delay-seconds');
  assert.equal(errorShapeProblem(limited), null);
  assert.equal(limited.json.code, 'rate_limited');
  for (const status of [500, 502, 503, 504]) {
    const r = await get(sb, `/v1/jobs/fault-${status}`);
    assert.equal(r.status, status);
    assert.equal(errorShapeProblem(r), null, `${status} body`);
  }
  assert.equal((await get(sb, '/v1/jobs/fault-503')).headers['retry-after'], '7');
  const cancel = await request(sb, 'POST', '/v1/jobs/fault-502/cancel', { headers: sb.auth });
  assert.equal(cancel.status, 502, 'cancel routes are covered too');
  const html = await get(sb, '/v1/jobs/fault-html');
  assert.equal(html.status, 200);
  assert.match(html.headers['content-type'], /^text\/html/);
  const empty = await get(sb, '/v1/jobs/fault-empty');
  assert.equal(empty.status, 204);
  assert.equal(empty.raw.length, 0);
  // Faults never bypass authentication.
  assert.equal((await request(sb, 'GET', '/v1/jobs/fault-503')).status, 401);
});

test('--fail-every N answers every Nth request with --fail-status; the control endpoint changes it', async () => {
  const sb = await start(['--speed', '0', '--faults', '--fail-every', '3', '--fail-status', '429',
                          '--retry-after', '2']);
  const statuses = [];
  for (let i = 0; i < 6; ++i) {
    const r = await get(sb, '/v1/jobs?limit=1');
    statuses.push(r.status);
    if (r.status === 429) {
      assert.equal(r.headers['retry-after'], '2');
      assert.equal(errorShapeProblem(r), null);
    }
  }
  assert.deepEqual(statuses, [200, 200, 429, 200, 200, 429]);

  const put = await request(sb, 'PUT', '/_sandbox/faults', {
    headers: { ...sb.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ fail_every: 2, fail_status: 500 }),
  });
  assert.equal(put.status, 200, put.text);
  const after_ = [];
  for (let i = 0; i < 4; ++i) after_.push((await get(sb, '/v1/jobs?limit=1')).status);
  assert.deepEqual(after_, [200, 500, 200, 500]);

  const bad = await request(sb, 'PUT', '/_sandbox/faults', {
    headers: { ...sb.auth, 'Content-Type': 'application/json' }, body: '{"fail_status":200}',
  });
  assert.equal(bad.status, 400, 'only error statuses can be injected');
  const off = await request(sb, 'PUT', '/_sandbox/faults', {
    headers: { ...sb.auth, 'Content-Type': 'application/json' }, body: '{"fail_every":0}',
  });
  assert.equal(off.status, 200);
  for (let i = 0; i < 3; ++i) assert.equal((await get(sb, '/v1/jobs?limit=1')).status, 200);
});

test('--latency delays every /v1 answer by at least that long', async () => {
  const sb = await start(['--speed', '0', '--faults', '--latency', '300']);
  for (const target of ['/v1/jobs?limit=1', '/v1/jobs/00000000-0000-4000-8000-000000000000']) {
    const started = process.hrtime.bigint();
    const r = await get(sb, target);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok([200, 404].includes(r.status));
    // A lower bound only: the sandbox must wait; how much longer it takes is not asserted.
    assert.ok(elapsedMs >= 295, `${target} answered after ${elapsedMs.toFixed(0)} ms`);
  }
});

test('the request log records method, target and headers as received, never the token', async () => {
  const logFile = path.join(dir, 'requests.jsonl');
  const sb = await start(['--speed', '0', '--faults', '--request-log', logFile],
                         { token: 'secret-token-for-the-log-test' });
  await request(sb, 'DELETE', '/_sandbox/requests', { headers: sb.auth });
  await get(sb, '/v1/jobs?status=pending&limit=5&sort=created_at_asc', { 'X-Trace': 'abc-123' });
  await request(sb, 'POST', '/v1/jobs/a%2Fb/cancel', {
    headers: { ...sb.auth, 'Content-Type': 'application/json' }, body: '{}',
  });

  const fromEndpoint = (await get(sb, '/_sandbox/requests')).json.requests;
  const fromFile = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  for (const [where, entries] of [['endpoint', fromEndpoint], ['file', fromFile]]) {
    const list = entries.find((e) => e.target === '/v1/jobs?status=pending&limit=5&sort=created_at_asc');
    assert.ok(list, `${where}: the list request with its query as sent`);
    assert.equal(list.method, 'GET');
    assert.equal(list.headers['x-trace'], 'abc-123', `${where}: custom headers kept`);
    assert.ok(list.headers.authorization, `${where}: the Authorization header is recorded`);
    const cancel = entries.find((e) => e.target === '/v1/jobs/a%2Fb/cancel');
    assert.ok(cancel, `${where}: the target is not decoded`);
    assert.equal(cancel.method, 'POST');
    assert.equal(cancel.headers['content-type'], 'application/json');
  }
  const everything = JSON.stringify(fromEndpoint) + fs.readFileSync(logFile, 'utf8');
  assert.ok(!everything.includes('secret-token-for-the-log-test'), 'the token is redacted');
});

test('the gallery lists jobs with state and thumbnails, refreshes itself, and needs no token', async () => {
  const sb = await start(['--speed', '20', '--fixtures']);
  const created = (await imagine(sb, { prompt: 'sunflowers <b>before</b> a storm' })).json;
  await pollJob(sb, created.id, (j) => TERMINAL.has(j.status));
  const r = await request(sb, 'GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html/);
  const html = r.text;
  assert.match(html, /<meta[^>]+http-equiv="refresh"[^>]*content="\d+"/i, 'reloads itself');
  assert.ok(html.includes(created.id), 'shows the new job');
  assert.ok(!html.includes('<b>before</b>'), 'prompts are HTML-escaped');
  for (const status of ['completed', 'pending', 'in_progress', 'failed', 'cancelled']) {
    assert.ok(html.includes(`>${status}<`), `shows a ${status} badge`);
  }
  const sources = [...html.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(sources.length > 0, 'has thumbnails');
  assert.ok(sources.some((s) => s.includes(created.id)), 'a thumbnail for the new job');
  for (const src of sources.slice(0, 5)) {
    const img = await request(sb, 'GET', src);
    assert.equal(img.status, 200, src);
    assert.equal(img.headers['content-type'], 'image/png');
    parsePng(img.raw);
  }
});

test('start-up failures exit non-zero with a reason instead of listening', async () => {
  const badDb = spawnSync(capstan, ['sandbox', '--port', '0', '--db', path.join(dir, 'missing', 'x.db')],
                          { encoding: 'utf8', timeout: 20000 });
  assert.notEqual(badDb.status, 0, 'an unusable --db is fatal');
  assert.ok(!badDb.stderr.includes('listening on'), badDb.stderr);
  assert.match(badDb.stderr, /cannot start/, badDb.stderr);

  const first = await start(['--speed', '0']);
  const busy = spawnSync(capstan, ['sandbox', '--port', String(first.port), '--speed', '0'],
                         { encoding: 'utf8', timeout: 20000 });
  assert.notEqual(busy.status, 0, 'a port in use is fatal');
  assert.ok(!busy.stderr.includes('listening on'), busy.stderr);
  assert.equal((await get(first, '/v1/jobs?limit=1')).status, 200, 'the first sandbox is unaffected');
});
