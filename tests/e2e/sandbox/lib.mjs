// Shared helpers for the sandbox end-to-end tests: start the real `capstan sandbox` binary on
// 127.0.0.1 port 0, talk raw HTTP/1.1 to it (node:http keeps request targets byte for byte, so
// ids with '..' or '%2F' reach the server unnormalised), and check answers against the
// Midjourney contracts in ../shared/reference/midjourney/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const capstan = process.env.CAPSTAN_BIN;
export const sharedDir = process.env.CAPSTAN_SHARED_DIR;
if (!capstan || !sharedDir) throw new Error('CAPSTAN_BIN and CAPSTAN_SHARED_DIR must be set');
export const referenceDir = path.join(sharedDir, 'reference', 'midjourney');

// The job schema declares JSON Schema draft 2020-12 ("$schema"), so it is compiled with ajv's
// 2020 dialect; formats (uuid, date-time, uri) are asserted, not just annotated.
const jobSchema = JSON.parse(
  fs.readFileSync(path.join(referenceDir, 'midjourney-image-generation-job-schema.json'), 'utf8'));
if (jobSchema.$schema !== 'https://json-schema.org/draft/2020-12/schema') {
  throw new Error(`job schema declares ${jobSchema.$schema}; the helpers assume draft 2020-12`);
}
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateJobSchema = ajv.compile(jobSchema);

// Throws with ajv's messages when `job` does not satisfy the contract's job schema.
export function assertJobSchema(job, what = 'job') {
  if (validateJobSchema(job)) return;
  throw new Error(`${what} violates the job schema: ${ajv.errorsText(validateJobSchema.errors)}\n` +
                  JSON.stringify(job));
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
export const STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'];

// Starts `capstan sandbox --port 0 ...args`; resolves once it logs `listening on http://...`.
export async function startSandbox(args = [], { token = 'sandbox-e2e-token' } = {}) {
  const argv = ['sandbox', '--port', '0', ...(token ? ['--token', token] : []), ...args];
  const child = spawn(capstan, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${stderr}`)), 20000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const { hostname, port } = new URL(url);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, host: hostname, port: Number(port), token, child, exited,
    stderr: () => stderr,
    stdout: () => stdout,
    auth: token ? { Authorization: `Bearer ${token}` } : {},
    // Stops this sandbox by its pid; SIGKILL simulates a crash (nothing gets to clean up).
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// One request on its own connection. `target` is sent exactly as given.
export function request(sandbox, method, target, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = http.request({
      host: sandbox.host, port: sandbox.port, method, path: target, agent: false,
      headers: { ...(payload ? { 'Content-Length': payload.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json;
        if (/^application\/json/.test(res.headers['content-type'] ?? '')) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, raw, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

// Shorthands with the sandbox's bearer token.
export const get = (sb, target, headers = {}) =>
  request(sb, 'GET', target, { headers: { ...sb.auth, ...headers } });
export const post = (sb, target, body, headers = {}) =>
  request(sb, 'POST', target, {
    headers: { ...sb.auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body,
  });
export const imagine = (sb, fields) => post(sb, '/v1/imagine', JSON.stringify(fields));

// research-notes §6.3: every JSON answer says `application/json; charset=utf-8`.
export function isJsonContentType(value) {
  return /^application\/json\s*;\s*charset=utf-8$/i.test(value ?? '');
}

// The contracts' ErrorResponse: {status: "ERROR", code, message}, served as JSON.
export function errorShapeProblem(response) {
  if (!isJsonContentType(response.headers['content-type'])) {
    return `content-type ${response.headers['content-type']}`;
  }
  const body = response.json;
  if (!body || typeof body !== 'object') return `body is not JSON: ${response.text}`;
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,message,status') return `error body keys are ${keys}`;
  if (body.status !== 'ERROR') return `status member is ${body.status}`;
  if (typeof body.code !== 'string' || !body.code) return 'code is not a non-empty string';
  if (typeof body.message !== 'string' || !body.message) return 'message is not a non-empty string';
  return null;
}

// Every job of a listing, walking pages of `pageSize`.
export async function listAll(sb, query = '', pageSize = 100) {
  const jobs = [];
  for (let offset = 0; ; offset += pageSize) {
    const sep = query ? '&' : '';
    const r = await get(sb, `/v1/jobs?${query}${sep}limit=${pageSize}&offset=${offset}`);
    if (r.status !== 200) throw new Error(`list failed: ${r.status} ${r.text}`);
    jobs.push(...r.json.data);
    if (offset + pageSize >= r.json.total) return { jobs, total: r.json.total };
  }
}

// Polls GET /v1/jobs/{id} until `done(job)`; returns every snapshot seen. The deadline only
// bounds a hang, the assertions are on the snapshots.
export async function pollJob(sb, id, done, { intervalMs = 25, deadlineMs = 30000 } = {}) {
  const history = [];
  const stopAt = Date.now() + deadlineMs;
  for (;;) {
    const r = await get(sb, `/v1/jobs/${id}`);
    if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${r.text}`);
    history.push(r.json);
    if (done(r.json)) return history;
    if (Date.now() > stopAt) {
      throw new Error(`job ${id} never reached the expected state; last: ${JSON.stringify(r.json)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// PNG (ISO/IEC 15948, RFC 2083): signature, chunk CRCs, IHDR first and IEND last, and an IDAT
// stream that inflates to exactly height scanlines of the declared width. Returns {width, height}.
export function parsePng(buffer) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(signature)) throw new Error('no PNG signature');
  let offset = 8;
  const chunks = [];
  while (offset < buffer.length) {
    if (offset + 12 > buffer.length) throw new Error('truncated chunk');
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > buffer.length) throw new Error(`chunk ${type} overruns the file`);
    const crc = buffer.readUInt32BE(offset + 8 + length);
    if (zlib.crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== crc) {
      throw new Error(`bad CRC on chunk ${type}`);
    }
    chunks.push({ type, data: buffer.subarray(offset + 8, offset + 8 + length) });
    offset = end;
  }
  if (chunks[0]?.type !== 'IHDR') throw new Error('IHDR is not the first chunk');
  if (chunks.at(-1)?.type !== 'IEND') throw new Error('IEND is not the last chunk');
  const ihdr = chunks[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8];
  const colorType = ihdr[9];
  const interlace = ihdr[12];
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  if (!channels) throw new Error(`colour type ${colorType}`);
  if (interlace !== 0) throw new Error('interlaced PNGs are not expected');
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const pixels = zlib.inflateSync(idat);
  const rowBytes = 1 + Math.ceil((width * channels * bitDepth) / 8);
  if (pixels.length !== rowBytes * height) {
    throw new Error(`IDAT inflates to ${pixels.length} bytes, expected ${rowBytes * height}`);
  }
  for (let row = 0; row < height; ++row) {
    if (pixels[row * rowBytes] > 4) throw new Error(`row ${row} has filter type ${pixels[row * rowBytes]}`);
  }
  return { width, height, colorType, bitDepth };
}

// Lexicographic (created_at, id), the contract's stable order.
export function compareJobs(a, b) {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
