// The README path, end to end: runs the README's main command exactly as written, then uses the
// running capstan the way a user would (REST with fetch, MCP with the official SDK client).
//
// usage: node main_job.test.mjs <repo-root>
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test, after } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const root = process.argv[2] ?? process.cwd();
const readme = readFileSync(`${root}/README.md`, 'utf8');

// The first indented command after "Run the main job" is the one users copy.
function mainCommand() {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Run the main job'));
  assert.ok(start >= 0, 'README has a "Run the main job" paragraph');
  const line = lines.slice(start).find((l) => l.startsWith('    '));
  assert.ok(line, 'README gives the main command as an indented block');
  return line.trim();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let child;
let stderr = '';
let exitPromise;

function startMain() {
  const command = mainCommand();
  child = spawn('bash', ['-c', command], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d.toString(); });
  child.stdout.on('data', (d) => { stderr += d.toString(); });
  exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

async function waitFor(predicate, what, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; capstan said:\n${stderr}`);
}

function capstanPid() {
  // The README command is `setup && capstan serve ...`: bash either execs capstan as its last
  // command (then they share a pid) or runs it as its child.
  if (readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === 'capstan') return child.pid;
  const out = execFileSync('pgrep', ['-P', String(child.pid), '-x', 'capstan']).toString().trim();
  return Number(out.split('\n')[0]);
}

after(async () => {
  if (child && child.exitCode === null) {
    try { process.kill(capstanPid(), 'SIGKILL'); } catch {}
    child.kill('SIGKILL');
  }
});

function field(regex, what) {
  const m = stderr.match(regex);
  assert.ok(m, `banner shows ${what}:\n${stderr}`);
  return m[1];
}

test('README main command serves the Midjourney capability on the sandbox', async (t) => {
  startMain();
  await waitFor(() => /ready in/.test(stderr), 'the ready line of the banner');

  const rest = field(/REST\s+\S+\s+(http:\/\/[^\s]+)/, 'the REST URL');
  const mcpUrl = field(/MCP\s+\S+\s+(http:\/\/[^\s]+)/, 'the MCP URL');
  const control = field(/control\s+(http:\/\/[^\s]+)/, 'the control URL');
  const sandbox = field(/sandbox\s+(http:\/\/[^\s]+)/, 'the sandbox URL');
  const token = field(/sandbox token:\s+(\S+)/, 'the sandbox token');
  assert.equal(rest, 'http://127.0.0.1:8080', 'REST listens where the capability says');
  assert.equal(mcpUrl, 'http://127.0.0.1:9090/mcp', 'MCP listens where the capability says');

  const ready = await fetch(`${control}/health/ready`);
  assert.equal(ready.status, 200, 'ready once every adapter listens');

  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  async function imagine(prompt) {
    const r = await fetch(`${sandbox}/v1/imagine`, { method: 'POST', headers: auth, body: JSON.stringify({ prompt }) });
    assert.equal(r.status, 200, `imagine accepted: ${await r.clone().text()}`);
    return r.json();
  }

  // Jobs come to exist through the sandbox's imagine endpoint.
  const created = [];
  for (const prompt of ['a lighthouse at dusk', 'a fox in the snow', 'paper boats on a pond']) {
    created.push(await imagine(prompt));
  }
  for (const job of created) assert.equal(job.status, 'pending', 'a new job starts pending');

  await t.test('REST lists jobs with status and limit', async () => {
    const r = await fetch(`${rest}/v1/v1/jobs?status=pending&limit=2`);
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.limit, 2, 'limit reached the upstream as a number');
    assert.ok(body.data.length <= 2);
    for (const job of body.data) assert.equal(job.status, 'pending', 'status filter reached the upstream');
  });

  const mcp = new Client({ name: 'capstan-readme-test', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));

  await t.test('MCP lists the three tools and the list tool reaches the sandbox', async () => {
    const { tools } = await mcp.listTools();
    assert.deepEqual(tools.map((x) => x.name).sort(),
      ['cancel-pending-progress-job', 'get-status-and-results-job', 'list-image-generation-jobs']);
    const result = await mcp.callTool({ name: 'list-image-generation-jobs', arguments: { limit: 50 } });
    assert.ok(!result.isError, JSON.stringify(result));
    const ids = result.structuredContent.data.map((j) => j.id);
    for (const job of created) assert.ok(ids.includes(job.id), `job ${job.id} listed through MCP`);
  });

  let completed;
  await t.test('a job completes and its result PNG downloads', async () => {
    completed = await waitFor(async () => {
      const r = await fetch(`${rest}/v1/v1/jobs/${created[0].id}`);
      const job = await r.json();
      return job.status === 'completed' ? job : null;
    }, 'a job to complete', 180_000);
    const image = completed.result.images[0];
    const png = Buffer.from(await (await fetch(image.url)).arrayBuffer());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.readUInt32BE(16), image.width, 'IHDR width matches the job');
    assert.equal(png.readUInt32BE(20), image.height, 'IHDR height matches the job');
  });

  await t.test('cancel through MCP, seen cancelled through REST', async () => {
    const fresh = await imagine('a kite over the dunes');
    const result = await mcp.callTool({ name: 'cancel-pending-progress-job', arguments: { jobId: fresh.id } });
    assert.ok(!result.isError, JSON.stringify(result));
    assert.equal(result.structuredContent.status, 'cancelled');
    const seen = await (await fetch(`${rest}/v1/v1/jobs/${fresh.id}`)).json();
    assert.equal(seen.status, 'cancelled');
  });

  await t.test('cancelling a completed job is a 400 through both surfaces', async () => {
    const r = await fetch(`${rest}/v1/v1/jobs/${completed.id}/cancel`, { method: 'POST' });
    assert.equal(r.status, 400, 'the upstream 400 is relayed');
    const result = await mcp.callTool({ name: 'cancel-pending-progress-job', arguments: { jobId: completed.id } });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /400/, 'the tool result names the upstream status');
  });

  await mcp.close();

  await t.test('metrics count what happened', async () => {
    const text = await (await fetch(`${control}/metrics`)).text();
    assert.match(text, /capstan_requests_total\{[^}]*adapter="rest:image-generation-jobs-rest"/);
    assert.match(text, /capstan_requests_total\{[^}]*adapter="mcp:image-generation-jobs-mcp"/);
    assert.match(text, /capstan_upstream_calls_total/);
    // The Prometheus linter accepts the exposition as a scraper would read it.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  });

  process.kill(capstanPid(), 'SIGTERM');
  const { code } = await exitPromise;
  assert.equal(code, 0, `clean exit after SIGTERM:\n${stderr}`);
});
