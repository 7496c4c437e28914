// The official TypeScript SDK client (@modelcontextprotocol/sdk) against the real
// `capstan serve --sandbox`, over Streamable HTTP and over stdio, plus raw exchanges under every
// other revision capstan speaks. Every message capstan emits is validated against the JSON
// schema of its revision.
//
// usage: node sdk_client_test.mjs <capstan> <capability.yaml> <shared dir>
//
// Expected values come from the capability file (tool names, descriptions, hints, the consumed
// parameters' types), DESIGN.md §4-§7, the MCP specification and the Midjourney Jobs contract
// (400 when cancelling a completed job), never from what capstan printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { WireSchemas, messagesOfBody } from './wire_schema.mjs';

const [capstan, capability, sharedDir] = process.argv.slice(2);
if (!capstan || !capability || !sharedDir) {
  console.error('usage: sdk_client_test.mjs <capstan> <capability.yaml> <shared dir>');
  process.exit(2);
}
const schemas = new WireSchemas(`${sharedDir}/reference/mcp-schema`);

const LIST = 'list-image-generation-jobs';
const GET = 'get-status-and-results-job';
const CANCEL = 'cancel-pending-progress-job';

// exposes[type=mcp].tools of image-generation-jobs.yaml, in document order.
const EXPECTED_TOOLS = [
  { name: LIST, description: 'List image generation jobs', hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true } },
  { name: GET, description: 'Get the status and results of a job', hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true } },
  { name: CANCEL, description: 'Cancel a pending or in-progress job', hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false } },
];
// The consumed parameters the list tool's `tools.X` references feed (consumes listjobs).
const LIST_PARAMETERS = {
  status: { type: 'string', description: 'Filter jobs by their current status.' },
  limit: { type: 'integer', description: 'Maximum number of jobs to return per page.' },
  offset: { type: 'integer', description: 'Number of jobs to skip for pagination.' },
  sort: { type: 'string', description: 'Sort order for the returned jobs.' },
};

// ---------------------------------------------------------------------------------------------
// Process and port plumbing.

const children = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
});

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
// An offset that moves the capability's ports (REST 8080, MCP 9090) onto free ones.
async function freeOffset() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await freePort();
    const offset = port - 9090;
    if (8080 + offset < 1024 || 9090 + offset > 65535) continue;
    if (await portIsFree(8080 + offset)) return offset;
  }
  throw new Error('no free port pair found');
}

async function startServe() {
  const offset = await freeOffset();
  const controlPort = await freePort();
  const child = spawn(capstan, ['serve', '--sandbox', '--sandbox-fixtures', '--port-offset', String(offset), '--control-port', String(controlPort), capability], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`capstan serve exited (${code}):\n${stderr}`)));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!/ready in/.test(stderr)) return;
      const mcp = /MCP\s+\S+\s+(http:\/\/\S+\/mcp)/.exec(stderr)?.[1];
      const sandbox = /sandbox\s+(http:\/\/[\d.:]+)/.exec(stderr)?.[1];
      const token = /sandbox token: (\S+)/.exec(stderr)?.[1];
      const rest = /REST\s+\S+\s+(http:\/\/\S+)/.exec(stderr)?.[1];
      if (mcp && sandbox && token && rest) resolve({ child, mcp, sandbox, token, rest, stdout: () => stdout });
      else reject(new Error(`banner lacks a URL or the sandbox token:\n${stderr}`));
    });
  });
}

async function createJob(sandbox, token, prompt) {
  const response = await fetch(`${sandbox}/v1/imagine`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  assert.ok(response.ok, `POST /v1/imagine answered ${response.status}`);
  return (await response.json()).id;
}

// ---------------------------------------------------------------------------------------------
// Wire recording: every message capstan sends, with the revision and the request it answers.

class WireLog {
  constructor() {
    this.entries = [];
    this.methods = new Map();
  }
  sent(message) {
    for (const one of Array.isArray(message) ? message : [message]) {
      if (one && one.method && one.id !== undefined) this.methods.set(JSON.stringify(one.id), one.method);
    }
  }
  received(revision, message, where) {
    const method = message.id !== undefined && !message.method ? this.methods.get(JSON.stringify(message.id)) : undefined;
    this.entries.push({ revision, message, method, where });
  }
  problems() {
    const out = [];
    for (const entry of this.entries) {
      for (const problem of schemas.check(entry.revision(), entry.message, entry.method)) {
        out.push(`${entry.where} ${JSON.stringify(entry.message).slice(0, 200)}: ${problem}`);
      }
    }
    return out;
  }
}

// A fetch for the SDK transport that records what goes out and what comes back.
function recordingFetch(log, revisionOf) {
  return async (url, init = {}) => {
    if (typeof init.body === 'string') log.sent(JSON.parse(init.body));
    const response = await fetch(url, init);
    const text = await response.text();
    for (const message of messagesOfBody(response.headers.get('content-type'), text)) {
      log.received(revisionOf, message, `HTTP ${init.method ?? 'GET'}`);
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the HTTP and stdio runs.

function textOf(result) {
  return (result.content ?? []).filter((block) => block.type === 'text').map((block) => block.text).join('\n');
}

function checkToolList(tools) {
  assert.deepEqual(tools.map((tool) => tool.name), EXPECTED_TOOLS.map((tool) => tool.name), 'the three tools, in document order');
  for (const expected of EXPECTED_TOOLS) {
    const tool = tools.find((candidate) => candidate.name === expected.name);
    assert.equal(tool.description, expected.description, `${tool.name}: description from the capability`);
    assert.equal(tool.inputSchema.type, 'object', `${tool.name}: inputSchema is an object schema`);
    assert.equal(typeof tool.inputSchema.properties, 'object', `${tool.name}: inputSchema has properties`);
    assert.ok(!JSON.stringify(tool.inputSchema).includes('$ref'), `${tool.name}: no $ref`);
    for (const [hint, value] of Object.entries(expected.hints)) {
      assert.equal(tool.annotations?.[hint], value, `${tool.name}: annotations.${hint} from hints`);
    }
    assert.ok(/^[A-Za-z0-9_-]{1,64}$/.test(tool.name), `${tool.name}: a name every client accepts`);
  }
  const list = tools.find((tool) => tool.name === LIST).inputSchema;
  assert.deepEqual(Object.keys(list.properties).sort(), Object.keys(LIST_PARAMETERS).sort(), 'list tool: status, limit, offset, sort');
  for (const [name, expected] of Object.entries(LIST_PARAMETERS)) {
    assert.equal(list.properties[name].type, expected.type, `list tool: ${name} typed from the consumed parameter`);
    assert.equal(list.properties[name].description, expected.description, `list tool: ${name} described from the consumed parameter`);
  }
  assert.ok(!list.required || list.required.length === 0, 'list tool: every parameter optional');
  for (const name of [GET, CANCEL]) {
    const schema = tools.find((tool) => tool.name === name).inputSchema;
    assert.deepEqual(Object.keys(schema.properties), ['jobId'], `${name}: jobId from the path placeholder`);
    assert.equal(schema.properties.jobId.type, 'string', `${name}: jobId is a string`);
    assert.deepEqual(schema.required, ['jobId'], `${name}: jobId is required`);
  }
}

// Calls every tool the way a model would; `pendingJob` is a job that can still be cancelled.
async function exerciseTools(client, pendingJob) {
  const page = await client.callTool({ name: LIST, arguments: { limit: 5, sort: 'created_at_desc' } });
  assert.notEqual(page.isError, true, `list: ${textOf(page)}`);
  assert.ok(Array.isArray(page.structuredContent?.data), 'list: structuredContent carries the job list');
  assert.ok(page.structuredContent.data.length <= 5, 'list: limit is honoured');
  assert.deepEqual(JSON.parse(textOf(page)), page.structuredContent, 'list: the text block is the same JSON');

  const coerced = await client.callTool({ name: LIST, arguments: { limit: '2' } });
  assert.notEqual(coerced.isError, true, `list with limit "2": ${textOf(coerced)}`);
  assert.ok(coerced.structuredContent.data.length <= 2, 'list: "2" is coerced to the integer 2 (DESIGN.md §5)');

  const completed = await client.callTool({ name: LIST, arguments: { status: 'completed', limit: 100 } });
  assert.notEqual(completed.isError, true, `list completed: ${textOf(completed)}`);
  const completedJobs = completed.structuredContent.data;
  assert.ok(completedJobs.length > 0, 'the sandbox fixtures hold completed jobs');
  assert.ok(completedJobs.every((job) => job.status === 'completed'), 'list: the status filter reaches the upstream');

  const invalid = await client.callTool({ name: LIST, arguments: { limit: 'abc' } });
  assert.equal(invalid.isError, true, 'limit "abc" is an isError result (SEP-1303)');
  assert.match(textOf(invalid), /limit/, 'the message names the argument');

  const job = await client.callTool({ name: GET, arguments: { jobId: pendingJob } });
  assert.notEqual(job.isError, true, `get: ${textOf(job)}`);
  assert.equal(job.structuredContent.id, pendingJob, 'get: the job asked for');

  const missing = await client.callTool({ name: GET, arguments: {} });
  assert.equal(missing.isError, true, 'get without jobId is an isError result');
  assert.match(textOf(missing), /jobId/, 'the message names the missing argument');

  const cancelled = await client.callTool({ name: CANCEL, arguments: { jobId: pendingJob } });
  assert.notEqual(cancelled.isError, true, `cancel of a pending job: ${textOf(cancelled)}`);
  assert.equal(cancelled.structuredContent.id, pendingJob, 'cancel: the job cancelled');
  assert.equal(cancelled.structuredContent.status, 'cancelled', 'cancel: the job is cancelled');

  const refused = await client.callTool({ name: CANCEL, arguments: { jobId: completedJobs[0].id } });
  assert.equal(refused.isError, true, 'cancel of a completed job is an isError result (upstream 400)');
  assert.match(textOf(refused), /\b400\b/, 'the result carries the upstream status');

  await assert.rejects(
    client.callTool({ name: 'no-such-tool', arguments: {} }),
    (error) => error instanceof McpError && error.code === -32602,
    'an unknown tool is JSON-RPC -32602',
  );
}

// ---------------------------------------------------------------------------------------------

const serve = await startServe();

test('SDK client over Streamable HTTP: tools listed and called, messages schema-valid', async () => {
  const log = new WireLog();
  const transport = new StreamableHTTPClientTransport(new URL(serve.mcp), { fetch: recordingFetch(log, () => transport.protocolVersion ?? '2025-11-25') });
  const client = new Client({ name: 'capstan-e2e', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  assert.equal(transport.protocolVersion, '2025-11-25', 'the SDK negotiates the newest initialize-based revision');
  assert.ok(transport.sessionId, 'capstan issues a session');

  const pending = await createJob(serve.sandbox, serve.token, 'a lighthouse at dusk');
  await createJob(serve.sandbox, serve.token, 'a harbour at dawn');
  const { tools, nextCursor } = await client.listTools();
  assert.equal(nextCursor, undefined, 'one page holds the three tools');
  checkToolList(tools);
  await exerciseTools(client, pending);
  await client.ping();
  await client.setLoggingLevel('warning');

  const session = transport.sessionId;
  await transport.terminateSession();
  const dead = await fetch(serve.mcp, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }),
  });
  assert.equal(dead.status, 404, 'a terminated session is 404');
  await client.close();

  assert.ok(log.entries.length >= 12, `recorded ${log.entries.length} messages`);
  assert.deepEqual(log.problems(), [], 'every message validates against the 2025-11-25 schema');
});

// Raw exchanges under the other revisions (the SDK 1.x client only speaks 2025-11-25 by default).
async function rawPost(log, revision, body, headers = {}) {
  log.sent(body);
  const response = await fetch(serve.mcp, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const messages = messagesOfBody(response.headers.get('content-type'), text);
  for (const message of messages) log.received(() => revision, message, `HTTP POST ${revision}`);
  return { response, messages };
}

for (const revision of ['2025-03-26', '2025-06-18']) {
  test(`initialize-based revision ${revision}: same tools and calls, schema-valid`, async () => {
    const log = new WireLog();
    const init = await rawPost(log, revision, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: revision, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    assert.equal(init.messages[0]?.result?.protocolVersion, revision, 'the revision is echoed');
    const headers = { 'mcp-session-id': init.response.headers.get('mcp-session-id'), 'mcp-protocol-version': revision };
    await rawPost(log, revision, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    const list = await rawPost(log, revision, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers);
    checkToolList(list.messages[0].result.tools);
    const call = await rawPost(log, revision, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: LIST, arguments: { limit: 3 } } }, headers);
    assert.notEqual(call.messages[0].result.isError, true);
    if (revision === '2025-03-26') {
      assert.equal(call.messages[0].result.structuredContent, undefined, 'no structuredContent before 2025-06-18');
    }
    await rawPost(log, revision, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: CANCEL, arguments: { jobId: 'not-a-job' } } }, headers);
    await rawPost(log, revision, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no-such-tool' } }, headers);
    await rawPost(log, revision, { jsonrpc: '2.0', id: 6, method: 'resources/list' }, headers);
    await rawPost(log, revision, { jsonrpc: '2.0', id: 7, method: 'prompts/list' }, headers);
    assert.equal(log.entries.length, 7);
    assert.deepEqual(log.problems(), [], `every message validates against the ${revision} schema`);
  });
}

test('stateless revision 2026-07-28: discover, list and call, schema-valid', async () => {
  const revision = '2026-07-28';
  const log = new WireLog();
  const meta = {
    'io.modelcontextprotocol/protocolVersion': revision,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  };
  const headers = (method, name) => ({ 'mcp-protocol-version': revision, 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) });
  const discover = await rawPost(log, revision, { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } }, headers('server/discover'));
  assert.ok(discover.messages[0].result.supportedVersions.includes(revision));
  const list = await rawPost(log, revision, { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } }, headers('tools/list'));
  checkToolList(list.messages[0].result.tools);
  const call = await rawPost(log, revision, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: LIST, arguments: { limit: 2 }, _meta: meta } }, headers('tools/call', LIST));
  assert.notEqual(call.messages[0].result.isError, true);
  const invalid = await rawPost(log, revision, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: LIST, arguments: { limit: 'abc' }, _meta: meta } }, headers('tools/call', LIST));
  assert.equal(invalid.messages[0].result.isError, true);
  await rawPost(log, revision, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no-such-tool', _meta: meta } }, headers('tools/call', 'no-such-tool'));
  await rawPost(log, revision, { jsonrpc: '2.0', id: 6, method: 'ping', params: { _meta: meta } }, headers('ping'));
  assert.equal(log.entries.length, 6);
  assert.deepEqual(log.problems(), [], 'every message validates against the 2026-07-28 schema');
});

test('SDK client over stdio: same calls, nothing but protocol lines on stdout', async () => {
  const transport = new StdioClientTransport({
    command: capstan,
    args: ['serve', '--stdio', '--sandbox', '--sandbox-fixtures', capability],
    stderr: 'pipe',
  });
  const log = new WireLog();
  let stdout = '';
  const client = new Client({ name: 'capstan-e2e', version: '1.0.0' }, { capabilities: {} });
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    // A second reader of the child's stdout sees the raw bytes the transport parses.
    transport._process.stdout.on('data', (chunk) => (stdout += chunk));
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    log.sent(message);
    return send(message, options);
  };
  await client.connect(transport);
  transport.stderr?.resume();

  const { tools } = await client.listTools();
  checkToolList(tools);
  const pending = await client.callTool({ name: LIST, arguments: { status: 'pending', limit: 1 } });
  const pendingJob = pending.structuredContent?.data?.[0]?.id;
  assert.ok(pendingJob, 'the sandbox fixtures hold a pending job');
  await exerciseTools(client, pendingJob);
  await client.close();

  const lines = stdout.split('\n');
  assert.equal(lines.at(-1), '', 'stdout ends with a newline');
  for (const line of lines.slice(0, -1)) {
    let message;
    assert.doesNotThrow(() => (message = JSON.parse(line)), `stdout line is JSON: ${line.slice(0, 200)}`);
    assert.equal(message.jsonrpc, '2.0', 'every stdout line is a JSON-RPC message');
    log.received(() => '2025-11-25', message, 'stdout');
  }
  assert.ok(log.entries.length >= 12, `recorded ${log.entries.length} stdout messages`);
  assert.deepEqual(log.problems(), [], 'every stdout message validates against the 2025-11-25 schema');
});
