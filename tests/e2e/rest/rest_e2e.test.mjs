// The REST adapter end to end, in its production shape: `capstan sandbox` runs as its own process
// with a token and a request log, `capstan serve` runs the seed capability unmodified with the same
// token in MIDJOURNEY_API_KEY and reaches the sandbox through --upstream. The sandbox's request log
// is the witness of what capstan sent upstream; every answer is compared with what the sandbox
// itself answers to the same request.
//
// usage: node rest_e2e.test.mjs <capstan-binary> <capability-file>
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, before, after } from 'node:test';

const [capstan, capability] = process.argv.slice(2);
assert.ok(capstan && capability, 'usage: rest_e2e.test.mjs <capstan> <capability>');

const work = mkdtempSync(path.join(tmpdir(), 'capstan-rest-e2e-'));
const requestLogFile = path.join(work, 'requests.jsonl');
const token = `mj-e2e-${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
const clientSecret = `client-own-credential-${Math.random().toString(16).slice(2)}`;
const inboundToken = `rest-inbound-${Math.random().toString(16).slice(2)}`;
const responseCap = 2000;  // --max-response-bytes of the guarded instance
const retryAfterSeconds = 7;  // distinctive, so a kept Retry-After is recognisable
const timeoutMs = 3000;  // capstan's --timeout-ms; the slow-upstream test exceeds it by far

const children = [];
const transcript = [];  // every response capstan gave, for the secret check

function startProcess(name, args, env = {}) {
  const child = spawn(args[0], args.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { name, child, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => { proc.stdout += d.toString(); });
  child.stderr.on('data', (d) => { proc.stderr += d.toString(); });
  proc.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  children.push(proc);
  return proc;
}

function waitForOutput(proc, pattern, timeout = 30_000) {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${proc.name}: no ${pattern} in its output:\n${proc.stderr}\n${proc.stdout}`));
    }, timeout);
    const poll = setInterval(() => {
      const match = (proc.stderr + proc.stdout).match(pattern);
      if (match) { clearInterval(poll); clearTimeout(deadline); resolve(match); }
      if (proc.child.exitCode !== null) {
        clearInterval(poll); clearTimeout(deadline);
        reject(new Error(`${proc.name} exited ${proc.child.exitCode}:\n${proc.stderr}`));
      }
    }, 20);
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function closedPort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// An offset that moves the capability's 8080 (REST) and 9090 (MCP) plus a control port onto free
// ports.
async function freeOffset() {
  for (let attempt = 0; attempt < 50; ++attempt) {
    const offset = 20000 + Math.floor(Math.random() * 20000);
    if (await portIsFree(8080 + offset) && await portIsFree(9090 + offset) &&
        await portIsFree(9464 + offset)) {
      return offset;
    }
  }
  throw new Error('no free port offset found');
}

// node:http rather than fetch: the raw target (`/..`, `%2F`) must reach capstan unnormalised.
function request(port, method, target, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answer = { status: res.statusCode, headers: res.headers, text };
          if (port !== sandboxPort) transcript.push(JSON.stringify(answer));
          resolve(answer);
        });
      });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let sandboxPort;
let restPort;
let deadRestPort;
let guardedRestPort;
let serveProc;
let deadProc;
let guardedProc;
let sandboxProc;

const sandbox = (method, target, options = {}) => request(sandboxPort, method, target, {
  ...options, headers: { Authorization: `Bearer ${token}`, ...(options.headers ?? {}) },
});
const rest = (method, target, options) => request(restPort, method, target, options);

function loggedRequests() {
  if (!existsSync(requestLogFile)) return [];
  return readFileSync(requestLogFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Runs `action` and returns what reached the sandbox meanwhile.
async function upstreamSeen(action) {
  const before = loggedRequests().length;
  const result = await action();
  return { result, seen: loggedRequests().slice(before) };
}

function assertProblem(answer, status, typeSuffix) {
  assert.equal(answer.status, status, `status ${answer.status}, body ${answer.text}`);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/,
    'RFC 9457 §3: capstan\'s own errors are application/problem+json');
  const problem = JSON.parse(answer.text);
  assert.equal(problem.status, status, 'RFC 9457 §3.1.2: status member equals the HTTP status');
  assert.equal(typeof problem.type, 'string');
  assert.equal(typeof problem.title, 'string');
  if (typeSuffix) assert.ok(problem.type.endsWith(typeSuffix), `type ${problem.type}`);
  return problem;
}

function assertRelayed(answer, direct) {
  assert.equal(answer.status, direct.status, `capstan ${answer.text} vs sandbox ${direct.text}`);
  assert.deepEqual(JSON.parse(answer.text), JSON.parse(direct.text));
}

// The one upstream request an action caused, checked for what every request must carry.
function onlyUpstreamRequest(seen) {
  assert.equal(seen.length, 1, `expected one upstream request, saw ${JSON.stringify(seen)}`);
  const [entry] = seen;
  assert.equal(entry.auth, 'valid', 'the MIDJOURNEY_API_KEY bearer reached the sandbox');
  assert.match(entry.headers.authorization, /^Bearer /, 'RFC 6750 §2.1 bearer form');
  assert.equal(entry.headers.host, `127.0.0.1:${sandboxPort}`, 'Host is the upstream\'s own');
  for (const name of ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-api-key', 'cookie']) {
    assert.equal(entry.headers[name], undefined, `${name} must not be forwarded upstream`);
  }
  return entry;
}

before(async () => {
  sandboxProc = startProcess('sandbox', [capstan, 'sandbox', '--port', '0', '--token', token,
    '--fixtures', '--speed', '0', '--faults', '--retry-after', String(retryAfterSeconds),
    '--request-log', requestLogFile]);
  const [, port] = await waitForOutput(sandboxProc, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  sandboxPort = Number(port);

  const offset = await freeOffset();
  restPort = 8080 + offset;
  serveProc = startProcess('capstan', [capstan, 'serve', capability,
    '--upstream', `image-generation-jobs=http://127.0.0.1:${sandboxPort}`,
    '--port-offset', String(offset), '--control-port', String(9464 + offset),
    '--timeout-ms', String(timeoutMs), '--log-level', 'debug'], { MIDJOURNEY_API_KEY: token });

  const deadOffset = await freeOffset();
  deadRestPort = 8080 + deadOffset;
  deadProc = startProcess('capstan-dead-upstream', [capstan, 'serve', capability,
    '--upstream', `image-generation-jobs=http://127.0.0.1:${await closedPort()}`,
    '--port-offset', String(deadOffset), '--control-port', String(9464 + deadOffset),
    '--log-level', 'debug'], { MIDJOURNEY_API_KEY: token });

  // The same capability with inbound bearer authentication on the REST adapter (a copy: the
  // seed itself stays unmodified) and a small upstream response cap.
  const seed = readFileSync(capability, 'utf8');
  const bindLine = '    MIDJOURNEY_API_KEY: MIDJOURNEY_API_KEY\n';
  const restHead = '    namespace: image-generation-jobs-rest\n    port: 8080\n';
  assert.ok(seed.includes(bindLine) && seed.includes(restHead), 'seed layout as expected');
  const guarded = seed.replace(bindLine, `${bindLine}    CAPSTAN_REST_TOKEN: CAPSTAN_REST_TOKEN\n`)
    .replace(restHead, `${restHead}    authentication:\n      type: bearer\n` +
      "      token: '{{env.CAPSTAN_REST_TOKEN}}'\n");
  const guardedFile = path.join(work, 'guarded.yaml');
  writeFileSync(guardedFile, guarded);
  const guardedOffset = await freeOffset();
  guardedRestPort = 8080 + guardedOffset;
  guardedProc = startProcess('capstan-guarded', [capstan, 'serve', guardedFile,
    '--upstream', `image-generation-jobs=http://127.0.0.1:${sandboxPort}`,
    '--port-offset', String(guardedOffset), '--control-port', String(9464 + guardedOffset),
    '--max-response-bytes', String(responseCap), '--log-level', 'debug'],
  { MIDJOURNEY_API_KEY: token, CAPSTAN_REST_TOKEN: inboundToken });

  await waitForOutput(serveProc, /ready in/);
  await waitForOutput(deadProc, /ready in/);
  await waitForOutput(guardedProc, /ready in/);
});

after(async () => {
  for (const proc of children) {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

// --- the three seed routes ------------------------------------------------------------------

test('list: caller query reaches the upstream with the bearer; answer equals the sandbox\'s', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs?status=pending&limit=5', {
    headers: { Authorization: `Bearer ${clientSecret}`, 'X-Api-Key': clientSecret,
      Host: 'spoofed.example', 'X-Forwarded-For': '203.0.113.9', Cookie: `sid=${clientSecret}` },
  }));
  const entry = onlyUpstreamRequest(seen);
  assert.equal(entry.method, 'GET');
  // DESIGN.md Semantics 2: absent optional references (offset, sort) are omitted, never `x=`.
  assert.equal(entry.target, '/v1/jobs?status=pending&limit=5');
  assert.ok(!JSON.stringify(entry).includes(clientSecret), 'caller credentials stay at capstan');

  const direct = await sandbox('GET', '/v1/jobs?status=pending&limit=5');
  assert.equal(result.status, 200);
  assert.match(result.headers['content-type'], /^application\/json/);
  assertRelayed(result, direct);
  const body = JSON.parse(result.text);
  assert.ok(body.data.length > 0 && body.data.every((j) => j.status === 'pending'),
    'the filter took effect upstream');
});

test('list: no query at all sends no query upstream', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs');
  assertRelayed(result, await sandbox('GET', '/v1/jobs'));
});

test('list: every with-referenced query name is passed, values form-encoded', async () => {
  const { result, seen } = await upstreamSeen(() =>
    rest('GET', '/v1/v1/jobs?sort=created_at%3Adesc&offset=2&limit=3&status=completed'));
  // Upstream order follows the consumed inputParameters (status, limit, offset, sort).
  assert.equal(onlyUpstreamRequest(seen).target,
    '/v1/jobs?status=completed&limit=3&offset=2&sort=created_at%3Adesc');
  assertRelayed(result, await sandbox('GET',
    '/v1/jobs?status=completed&limit=3&offset=2&sort=created_at%3Adesc'));
});

test('list: query names the capability does not declare are not forwarded', async () => {
  const { result, seen } = await upstreamSeen(() =>
    rest('GET', '/v1/v1/jobs?limit=2&debug=1&access_token=x&Authorization=Bearer%20y'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs?limit=2');
  assertRelayed(result, await sandbox('GET', '/v1/jobs?limit=2'));
});

test('list: a space in a value is form-encoded upstream, and the upstream 400 is relayed', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs?status=in+a%26b'));
  // WHATWG application/x-www-form-urlencoded: space as '+', '&' escaped.
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs?status=in+a%26b');
  const direct = await sandbox('GET', '/v1/jobs?status=in+a%26b');
  assert.equal(direct.status, 400, 'the sandbox refuses an unknown status (contract)');
  assertRelayed(result, direct);
});

test('list: integer limit given as 10.0 is coerced to 10 upstream', async () => {
  const { seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs?limit=10.0'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs?limit=10');
});

test('get: jobid is substituted into the upstream path; answer equals the sandbox\'s', async () => {
  const listed = JSON.parse((await sandbox('GET', '/v1/jobs?status=completed&limit=1')).text);
  const id = listed.data[0].id;
  const { result, seen } = await upstreamSeen(() => rest('GET', `/v1/v1/jobs/${id}`));
  const entry = onlyUpstreamRequest(seen);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.target, `/v1/jobs/${id}`);
  assert.equal(result.status, 200);
  assertRelayed(result, await sandbox('GET', `/v1/jobs/${id}`));
});

test('get: a job id is percent-encoded as one segment (RFC 3986 §2.3: unreserved kept)', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs/a%20b:c@d~e'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs/a%20b%3Ac%40d~e');
  assertRelayed(result, await sandbox('GET', '/v1/jobs/a%20b%3Ac%40d~e'));
});

test('get: unknown job id relays the upstream 404 and its body', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs/does-not-exist'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs/does-not-exist');
  const direct = await sandbox('GET', '/v1/jobs/does-not-exist');
  assert.equal(direct.status, 404);
  assertRelayed(result, direct);
});

test('cancel: POSTs to the substituted path and relays the cancelled job', async () => {
  const created = await sandbox('POST', '/v1/imagine', {
    headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"a lighthouse at dusk"}',
  });
  assert.ok(created.status >= 200 && created.status < 300, created.text);
  const id = JSON.parse(created.text).id;
  const { result, seen } = await upstreamSeen(() => rest('POST', `/v1/v1/jobs/${id}/cancel`));
  const entry = onlyUpstreamRequest(seen);
  assert.equal(entry.method, 'POST');
  assert.equal(entry.target, `/v1/jobs/${id}/cancel`);
  assert.equal(result.status, 200, result.text);
  const job = JSON.parse(result.text);
  assert.equal(job.id, id);
  assert.equal(job.status, 'cancelled');
  // What the sandbox now says about that job is what capstan relayed.
  assert.deepEqual(job, JSON.parse((await sandbox('GET', `/v1/jobs/${id}`)).text));
});

test('cancel: a completed job relays the upstream 400', async () => {
  const listed = JSON.parse((await sandbox('GET', '/v1/jobs?status=completed&limit=1')).text);
  const id = listed.data[0].id;
  const { result, seen } = await upstreamSeen(() => rest('POST', `/v1/v1/jobs/${id}/cancel`));
  assert.equal(onlyUpstreamRequest(seen).target, `/v1/jobs/${id}/cancel`);
  const direct = await sandbox('POST', `/v1/jobs/${id}/cancel`);
  assert.equal(direct.status, 400, 'the jobs contract refuses cancelling a completed job');
  assertRelayed(result, direct);
});

// --- bad input: refused by capstan, nothing reaches the upstream ----------------------------

for (const [name, target, parameter] of [
  ['limit=abc', '/v1/v1/jobs?limit=abc', 'limit'],
  ['limit=10.5', '/v1/v1/jobs?limit=10.5', 'limit'],
  ['offset=[]', '/v1/v1/jobs?offset=%5B%5D', 'offset'],
]) {
  test(`bad input: ${name} is a 400 naming the parameter, before any upstream call`, async () => {
    const { result, seen } = await upstreamSeen(() => rest('GET', target));
    assert.deepEqual(seen, [], 'nothing reached the upstream');
    const problem = assertProblem(result, 400, 'invalid-argument');
    assert.equal(problem.parameter, parameter);
    assert.ok(problem.detail.includes(parameter), problem.detail);
  });
}

test('bad input: a repeated scalar query key is a 400', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs?status=pending&status=completed'));
  assert.deepEqual(seen, []);
  const problem = assertProblem(result, 400);
  assert.equal(problem.parameter, 'status');
});

for (const id of ['.', '..', '%2E', '%2e%2E', '%2F', 'a%2Fb', '%2F..']) {
  for (const [method, suffix] of [['GET', ''], ['POST', '/cancel']]) {
    test(`bad input: ${method} job id '${id}' is refused before any upstream call`, async () => {
      const { result, seen } = await upstreamSeen(() => rest(method, `/v1/v1/jobs/${id}${suffix}`));
      assert.deepEqual(seen, [], 'nothing reached the upstream');
      assert.ok(result.status === 400 || result.status === 404, `status ${result.status}`);
      assertProblem(result, result.status);
    });
  }
}

test('bad input: an empty job id segment matches no route', async () => {
  const { result, seen } = await upstreamSeen(() => rest('POST', '/v1/v1/jobs//cancel'));
  assert.deepEqual(seen, []);
  assertProblem(result, 404, 'not-found');
});

test('limits: a body over the limit is a 413 problem, before any upstream call', async () => {
  // The adapter's body limit is 1 MiB (net::ServerLimits); RFC 9110 §15.5.14.
  const { result, seen } = await upstreamSeen(() =>
    rest('POST', '/v1/v1/jobs/some-id/cancel', { body: 'x'.repeat(1024 * 1024 + 1) }));
  assert.deepEqual(seen, []);
  assertProblem(result, 413, 'request-too-large');
});

test('limits: headers over the limit are a 431 problem (RFC 6585 §5)', async () => {
  const { result, seen } = await upstreamSeen(() =>
    rest('GET', '/v1/v1/jobs', { headers: { 'X-Padding': 'a'.repeat(20 * 1024) } }));
  assert.deepEqual(seen, []);
  assertProblem(result, 431, 'headers-too-large');
});

test('routing: an unknown path is a 404 problem', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/nothing-here'));
  assert.deepEqual(seen, []);
  const problem = assertProblem(result, 404, 'not-found');
  // The routes the seed's REST adapter exposes, as written in the capability.
  for (const route of ['GET /v1/v1/jobs', 'GET /v1/v1/jobs/{jobid}', 'POST /v1/v1/jobs/{jobid}/cancel']) {
    assert.ok(problem.detail.includes(route), `the 404 lists ${route}: ${problem.detail}`);
  }
});

for (const [method, target, allowed] of [
  ['DELETE', '/v1/v1/jobs', 'GET'],
  ['POST', '/v1/v1/jobs', 'GET'],
  ['GET', '/v1/v1/jobs/some-id/cancel', 'POST'],
  ['PUT', '/v1/v1/jobs/some-id', 'GET'],
]) {
  test(`routing: ${method} ${target} is a 405 with Allow: ${allowed}`, async () => {
    const { result, seen } = await upstreamSeen(() => rest(method, target));
    assert.deepEqual(seen, []);
    assertProblem(result, 405, 'method-not-allowed');
    // RFC 9110 §15.5.6: a 405 carries Allow with the target's methods.
    const allow = (result.headers.allow ?? '').split(',').map((m) => m.trim());
    assert.ok(allow.includes(allowed), `Allow: ${result.headers.allow}`);
    assert.ok(!allow.includes(method), `Allow: ${result.headers.allow}`);
    if (allowed === 'GET') assert.ok(allow.includes('HEAD'), 'RFC 9110 §9.3.2: HEAD with GET');
  });
}

test('HEAD answers with GET\'s header fields and no content (RFC 9110 §9.3.2)', async () => {
  const get = await rest('GET', '/v1/v1/jobs?limit=1');
  const head = await rest('HEAD', '/v1/v1/jobs?limit=1');
  assert.equal(head.status, get.status);
  assert.equal(head.text, '', 'no content after the header');
  assert.equal(head.headers['content-type'], get.headers['content-type']);
});

// --- upstream faults ------------------------------------------------------------------------

test('upstream 429 is relayed with its Retry-After kept', async () => {
  const { result, seen } = await upstreamSeen(() => rest('GET', '/v1/v1/jobs/fault-429'));
  assert.equal(onlyUpstreamRequest(seen).target, '/v1/jobs/fault-429');
  const direct = await sandbox('GET', '/v1/jobs/fault-429');
  assertRelayed(result, direct);
  assert.equal(result.status, 429);
  assert.equal(result.headers['retry-after'], String(retryAfterSeconds), 'RFC 9110 §10.2.3');
});

test('upstream 429 on the list route (every-nth fault) keeps Retry-After', async () => {
  const set = await sandbox('PUT', '/_sandbox/faults', {
    headers: { 'Content-Type': 'application/json' }, body: '{"fail_every":1,"fail_status":429}',
  });
  assert.equal(set.status, 200, set.text);
  try {
    const result = await rest('GET', '/v1/v1/jobs?limit=1');
    assert.equal(result.status, 429, result.text);
    assert.equal(result.headers['retry-after'], String(retryAfterSeconds));
    assert.equal(JSON.parse(result.text).status, 'ERROR', 'the sandbox\'s error body is relayed');
  } finally {
    await sandbox('PUT', '/_sandbox/faults', {
      headers: { 'Content-Type': 'application/json' }, body: '{"fail_every":0}',
    });
  }
});

for (const status of [500, 502, 503]) {
  test(`upstream ${status} is relayed with its body`, async () => {
    const { result, seen } = await upstreamSeen(() => rest('POST', `/v1/v1/jobs/fault-${status}/cancel`));
    assert.equal(onlyUpstreamRequest(seen).target, `/v1/jobs/fault-${status}/cancel`);
    const direct = await sandbox('POST', `/v1/jobs/fault-${status}/cancel`);
    assert.equal(direct.status, status);
    assertRelayed(result, direct);
    assert.match(result.headers['content-type'], /^application\/json/, 'relayed, not a problem');
    if (status === 503) assert.equal(result.headers['retry-after'], String(retryAfterSeconds));
  });
}

test('upstream 2xx with a body that is not JSON is a 502 problem', async () => {
  const result = await rest('GET', '/v1/v1/jobs/fault-html');
  assertProblem(result, 502, 'upstream-not-json');
});

test('upstream 2xx without a body is relayed as is', async () => {
  const result = await rest('GET', '/v1/v1/jobs/fault-empty');
  assert.equal(result.status, 204);
  assert.equal(result.text, '');
});

test('dead upstream is a 502 problem', async () => {
  const result = await request(deadRestPort, 'GET', '/v1/v1/jobs?limit=1');
  assertProblem(result, 502, 'upstream-connect');
});

test('upstream slower than --timeout-ms is a 504 problem', async () => {
  const set = await sandbox('PUT', '/_sandbox/faults', {
    headers: { 'Content-Type': 'application/json' }, body: `{"latency_ms":${timeoutMs * 20}}`,
  });
  assert.equal(set.status, 200, set.text);
  try {
    const result = await rest('GET', '/v1/v1/jobs?limit=1');
    assertProblem(result, 504, 'upstream-timeout');
  } finally {
    await sandbox('PUT', '/_sandbox/faults', {
      headers: { 'Content-Type': 'application/json' }, body: '{"latency_ms":0}',
    });
  }
});

test('upstream answer over --max-response-bytes is a 502 problem', async () => {
  const direct = await sandbox('GET', '/v1/jobs?limit=50');
  assert.ok(Buffer.byteLength(direct.text) > responseCap, 'the sandbox answer exceeds the cap');
  const result = await request(guardedRestPort, 'GET', '/v1/v1/jobs?limit=50',
    { headers: { Authorization: `Bearer ${inboundToken}` } });
  assertProblem(result, 502, 'upstream-too-large');
});

// --- inbound authentication -----------------------------------------------------------------

for (const [name, authorization] of [
  ['no credentials', undefined],
  ['a wrong token', 'Bearer wrong-token'],
  ['a prefix of the token', `Bearer ${inboundToken.slice(0, -1)}`],
  ['the upstream\'s token', `Bearer ${token}`],
  ['the token under another scheme', `Basic ${inboundToken}`],
]) {
  test(`inbound auth: ${name} is a 401 with WWW-Authenticate and no upstream call`, async () => {
    const headers = authorization ? { Authorization: authorization } : {};
    const { result, seen } = await upstreamSeen(() =>
      request(guardedRestPort, 'GET', '/v1/v1/jobs?limit=1', { headers }));
    assert.deepEqual(seen, [], 'nothing reached the upstream');
    assertProblem(result, 401, 'unauthorized');
    // RFC 9110 §11.6.1: a 401 carries a challenge; RFC 6750 §3 names the Bearer scheme.
    assert.match(result.headers['www-authenticate'] ?? '', /^Bearer\b/);
  });
}

test('inbound auth: the right token is served, and it is not forwarded upstream', async () => {
  const { result, seen } = await upstreamSeen(() => request(guardedRestPort, 'GET',
    '/v1/v1/jobs?limit=1', { headers: { Authorization: `Bearer ${inboundToken}` } }));
  assert.equal(result.status, 200, result.text);
  const entry = onlyUpstreamRequest(seen);  // auth "valid": the upstream got MIDJOURNEY_API_KEY
  assert.equal(entry.target, '/v1/jobs?limit=1');
  assert.ok(!JSON.stringify(entry).includes(inboundToken));
});

test('capstan is still serving after the faults', async () => {
  const result = await rest('GET', '/v1/v1/jobs?limit=1');
  assert.equal(result.status, 200, result.text);
});

// --- logs and secrets -----------------------------------------------------------------------

test('never a 500 of capstan\'s own', () => {
  for (const line of transcript) {
    const answer = JSON.parse(line);
    if (answer.status === 500) {
      assert.ok(!/problem\+json/.test(answer.headers['content-type'] ?? ''), line);
    }
  }
});

test('one access-log line per request with method, path, status and upstream status', () => {
  assert.match(serveProc.stderr, /GET \/v1\/v1\/jobs 200 upstream=200 /);
  assert.match(serveProc.stderr, /GET \/v1\/v1\/jobs\/fault-429 429 upstream=429 /);
  assert.match(serveProc.stderr, /GET \/v1\/v1\/jobs 400 upstream=- /);
  assert.match(serveProc.stderr, /DELETE \/v1\/v1\/jobs 405 upstream=- /);
});

test('the token appears in no response and no log line; capstan exits 0 on SIGTERM', async () => {
  for (const proc of [serveProc, deadProc, guardedProc]) {
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    assert.equal(code, 0, `${proc.name} exit code`);
  }
  assert.ok(serveProc.stderr.length > 0, 'capstan logged (so the check below is not vacuous)');
  for (const proc of [serveProc, deadProc, guardedProc]) {
    for (const secret of [token, inboundToken]) {
      assert.ok(!proc.stderr.includes(secret), `${proc.name} stderr holds a token`);
      assert.ok(!proc.stdout.includes(secret), `${proc.name} stdout holds a token`);
    }
  }
  assert.ok(!serveProc.stderr.includes(clientSecret), 'the caller\'s credential is not logged');
  const capstanAnswers = transcript.join('\n');
  assert.ok(!capstanAnswers.includes(token), 'a response holds the upstream token');
  assert.ok(!capstanAnswers.includes(inboundToken), 'a response holds the inbound token');
});
