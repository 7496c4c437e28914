// Upstream TLS end to end: capstan verifies the upstream's certificate against the system store
// plus --ca-file, checks the host name, and sends SNI. The upstream is a local Node HTTPS server
// with a self-signed certificate made at test time by the openssl CLI.
//
// usage: node rest_tls.test.mjs <capstan-binary> <capability-file>
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, before, after } from 'node:test';

const [capstan, capability] = process.argv.slice(2);
assert.ok(capstan && capability, 'usage: rest_tls.test.mjs <capstan> <capability>');

const work = mkdtempSync(path.join(tmpdir(), 'capstan-tls-'));
const token = `mj-tls-${Math.random().toString(16).slice(2)}`;
const cert = path.join(work, 'cert.pem');
const key = path.join(work, 'key.pem');
const listing = JSON.stringify({ data: [], total: 0, limit: 1, offset: 0 });
const seen = [];  // what reached the HTTPS upstream
const children = [];
let server;
let upstreamPort;

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

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

async function startCapstan(upstreamUrl, extra = []) {
  const offset = await freeOffset();
  const child = spawn(capstan, ['serve', capability, '--upstream', `image-generation-jobs=${upstreamUrl}`,
    '--port-offset', String(offset), '--control-port', String(9464 + offset), ...extra],
  { env: { ...process.env, MIDJOURNEY_API_KEY: token }, stdio: ['ignore', 'ignore', 'pipe'] });
  const proc = { child, stderr: '', port: 8080 + offset };
  child.stderr.on('data', (d) => { proc.stderr += d.toString(); });
  children.push(proc);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`capstan did not start:\n${proc.stderr}`)), 30_000);
    const poll = setInterval(() => {
      if (/ready in/.test(proc.stderr)) { clearInterval(poll); clearTimeout(timer); resolve(); }
      if (child.exitCode !== null) {
        clearInterval(poll); clearTimeout(timer);
        reject(new Error(`capstan exited ${child.exitCode}:\n${proc.stderr}`));
      }
    }, 20);
  });
  return proc;
}

function get(port, target) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: target, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
}

function assertProblem(answer, status, typeSuffix) {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(answer.text);
  assert.ok(problem.type.endsWith(typeSuffix), problem.type);
  return problem;
}

before(async () => {
  // Self-signed, valid for the name "localhost" only (no IP address in subjectAltName).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
  { stdio: 'ignore' });
  server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    seen.push({ servername: req.socket.servername, url: req.url,
      authorization: req.headers.authorization });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(listing);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstreamPort = server.address().port;
});

after(() => {
  for (const proc of children) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

test('a certificate no trusted CA signed is a 502 upstream-tls, and nothing is served', async () => {
  const proc = await startCapstan(`https://localhost:${upstreamPort}`);
  const before = seen.length;
  assertProblem(await get(proc.port, '/v1/v1/jobs?limit=1'), 502, 'upstream-tls');
  assert.equal(seen.length, before, 'no request got through the failed handshake');
  assert.ok(!proc.stderr.includes(token));
});

test('with --ca-file the upstream is trusted, SNI names the host, the bearer is sent', async () => {
  const proc = await startCapstan(`https://localhost:${upstreamPort}`, ['--ca-file', cert]);
  const before = seen.length;
  const answer = await get(proc.port, '/v1/v1/jobs?limit=1');
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(JSON.parse(answer.text), JSON.parse(listing));
  const reached = seen.slice(before);
  assert.equal(reached.length, 1);
  assert.equal(reached[0].servername, 'localhost', 'RFC 6066 §3: server_name extension');
  assert.equal(reached[0].url, '/v1/jobs?limit=1');
  assert.equal(reached[0].authorization, `Bearer ${token}`);
});

test('a trusted certificate for another name is a 502 upstream-tls (host name checked)', async () => {
  // RFC 9110 §4.3.4 / RFC 6125: the certificate must name the host capstan connected to.
  const proc = await startCapstan(`https://127.0.0.1:${upstreamPort}`, ['--ca-file', cert]);
  const before = seen.length;
  assertProblem(await get(proc.port, '/v1/v1/jobs?limit=1'), 502, 'upstream-tls');
  assert.equal(seen.length, before);
});
