// `capstan serve --stdio`: its limits and its lifecycle signals: SIGTERM lets a call in flight answer and then
// exits 0; a client that closes stdout ends the process cleanly instead of killing it with
// SIGPIPE. The upstream is a separate `capstan sandbox` with --latency, so a call stays in flight.
//
// usage: node stdio_signals.test.mjs <capstan-binary> <capability-file>
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test, after } from 'node:test';

const [capstan, capability] = process.argv.slice(2);
const token = `stdio-${process.pid}`;
const children = [];
after(() => { for (const child of children) if (child.exitCode === null) child.kill('SIGKILL'); });

async function startSandbox() {
  const sandbox = spawn(capstan, ['sandbox', '--port', '0', '--token', token, '--latency', '1500'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(sandbox);
  let log = '';
  for await (const chunk of sandbox.stderr) {
    log += chunk;
    const match = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (match) return match[1];
  }
  throw new Error(`sandbox did not start: ${log}`);
}
const upstream = await startSandbox();

function startStdio() {
  const child = spawn(capstan, ['serve', '--stdio', '--upstream', `image-generation-jobs=${upstream}`,
    capability], { env: { ...process.env, MIDJOURNEY_API_KEY: token }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.resume();
  const lines = [];
  let buffered = '';
  child.stdout.on('data', (d) => {
    buffered += d;
    for (let at; (at = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(at + 1)) {
      lines.push(JSON.parse(buffered.slice(0, at)));
    }
  });
  child.stdout.on('error', () => {});
  const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const waitFor = async (predicate) => {
    for (let i = 0; i < 200; ++i) {
      const found = lines.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no such line among ${JSON.stringify(lines)}`);
  };
  return { child, lines, send, waitFor };
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'signals', version: '1' } } };
const listCall = { jsonrpc: '2.0', id: 2, method: 'tools/call',
  params: { name: 'list-image-generation-jobs', arguments: { limit: 1 } } };

test('SIGTERM during a call: the call answers, then capstan exits 0', async () => {
  const stdio = startStdio();
  stdio.send(initialize);
  await stdio.waitFor((m) => m.id === 1);
  stdio.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  stdio.send(listCall);
  await new Promise((r) => setTimeout(r, 300));  // the call now waits on the slow upstream
  stdio.child.kill('SIGTERM');
  const [code, signal] = await once(stdio.child, 'exit');
  assert.equal(signal, null, 'not killed by the signal');
  assert.equal(code, 0);
  const answer = stdio.lines.find((m) => m.id === 2);
  assert.ok(answer, `the in-flight call answered before exit: ${JSON.stringify(stdio.lines)}`);
  assert.ok(!answer.result.isError, JSON.stringify(answer));
});

test('a line over 1 MiB is refused and the stream goes on', async () => {
  const stdio = startStdio();
  stdio.send(initialize);
  await stdio.waitFor((m) => m.id === 1);
  stdio.child.stdin.write(`{"jsonrpc":"2.0","id":3,"method":"ping","params":{"pad":"${'x'.repeat(1536 * 1024)}"}}\n`);
  stdio.send({ jsonrpc: '2.0', id: 4, method: 'ping' });
  const refused = await stdio.waitFor((m) => m.error && !('id' in m));
  assert.equal(refused.error.code, -32600, 'JSON-RPC invalid request, without an id');
  const pong = await stdio.waitFor((m) => m.id === 4);
  assert.deepEqual(pong.result, {}, 'the next message is served');
  stdio.child.stdin.end();
  const [code] = await once(stdio.child, 'exit');
  assert.equal(code, 0, 'EOF ends the process cleanly');
});

test('a client that closes stdout ends capstan cleanly (no SIGPIPE)', async () => {
  const stdio = startStdio();
  stdio.send(initialize);
  await stdio.waitFor((m) => m.id === 1);
  stdio.child.stdout.destroy();
  stdio.send(listCall);  // its answer cannot be written
  const [code, signal] = await once(stdio.child, 'exit');
  assert.equal(signal, null, 'not killed by SIGPIPE');
  assert.equal(code, 0);
});
