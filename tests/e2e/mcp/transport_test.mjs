// Transport rules of the MCP Streamable HTTP endpoint and the stdio mode, checked against the
// test-only conformance server. Usage: node transport_test.mjs <path to capstan_mcp_conformance_server>
// Expected values come from the MCP specification (transports, lifecycle, 2026-07-28 headers),
// not from capstan's output.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: transport_test.mjs <capstan_mcp_conformance_server>');
  process.exit(2);
}

const children = [];
function startServer(env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--port', '0'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^PORT=(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}
function stopServers() {
  for (const child of children) if (child.exitCode === null) process.kill(child.pid, 'SIGTERM');
}

let passed = 0;
const failures = [];
function check(name, condition, detail) {
  if (condition) {
    passed += 1;
  } else {
    failures.push(name);
    console.log(`FAIL ${name}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
}

const ACCEPT_BOTH = 'application/json, text/event-stream';
let base;

async function post(body, headers = {}, path = '/mcp') {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/json') && text) json = JSON.parse(text);
  if (type.startsWith('text/event-stream')) {
    json = text
      .split('\n\n')
      .map((event) => event.split('\n').find((line) => line.startsWith('data: '))?.slice(6))
      .filter((data) => data)
      .map((data) => JSON.parse(data));
  }
  return { status: response.status, headers: response.headers, text, json, type };
}

// fetch() will not send a foreign Host header; node:http will.
function rawPost(body, headers) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

function initializeBody(version = '2025-11-25', id = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'transport-test', version: '1' } },
  };
}

async function openSession(version = '2025-11-25') {
  const response = await post(initializeBody(version));
  const session = response.headers.get('mcp-session-id');
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': session });
  return session;
}

function modernMeta(version = '2026-07-28') {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'transport-test', version: '1' },
  };
}
function modernHeaders(method, name, version = '2026-07-28') {
  const headers = { 'mcp-protocol-version': version, 'mcp-method': method };
  if (name !== undefined) headers['mcp-name'] = name;
  return headers;
}

async function legacyChecks() {
  // Lifecycle: initialize issues a visible-ASCII session id and negotiates the revision.
  const init = await post(initializeBody());
  const session = init.headers.get('mcp-session-id');
  check('initialize answers 200', init.status === 200, init.status);
  check('initialize issues a visible-ASCII session id', /^[\x21-\x7e]+$/.test(session ?? ''), session);
  check('initialize echoes a supported revision', init.json?.result?.protocolVersion === '2025-11-25');
  check('initialize declares tools', init.json?.result?.capabilities?.tools !== undefined);
  const future = await post(initializeBody('2099-01-01'));
  check('unknown revision gets the latest supported', future.json?.result?.protocolVersion === '2025-11-25');
  const older = await post(initializeBody('2025-03-26'));
  check('2025-03-26 is echoed', older.json?.result?.protocolVersion === '2025-03-26');

  const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
  const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  check('notification answers 202 with no body', initialized.status === 202 && initialized.text === '', initialized.status);
  const ping = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, headers);
  check('ping answers an empty result', ping.status === 200 && JSON.stringify(ping.json?.result) === '{}', ping.json);
  const reinit = await post(initializeBody(), { 'mcp-session-id': session });
  check('initialize on a live session is refused', reinit.status === 400, reinit.status);

  // Sessions.
  const noSession = await post({ jsonrpc: '2.0', id: 3, method: 'ping' });
  check('missing session id is 400', noSession.status === 400, noSession.status);
  const forged = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { 'mcp-session-id': 'abc.1.2025-11-25.deadbeef' });
  check('unknown session id is 404', forged.status === 404, forged.status);

  // MCP-Protocol-Version header: checked against the supported set, not equality.
  const badVersion = await post({ jsonrpc: '2.0', id: 4, method: 'ping' }, { ...headers, 'mcp-protocol-version': '1999-01-01' });
  check('unsupported MCP-Protocol-Version is 400', badVersion.status === 400, badVersion.status);
  const otherVersion = await post({ jsonrpc: '2.0', id: 5, method: 'ping' }, { ...headers, 'mcp-protocol-version': '2025-03-26' });
  check('another supported MCP-Protocol-Version is accepted', otherVersion.status === 200, otherVersion.status);
  const noVersion = await post({ jsonrpc: '2.0', id: 6, method: 'ping' }, { 'mcp-session-id': session });
  check('missing MCP-Protocol-Version is accepted in a session', noVersion.status === 200, noVersion.status);

  // Media types.
  const plain = await post({ jsonrpc: '2.0', id: 7, method: 'ping' }, { ...headers, 'content-type': 'text/plain' });
  check('non-JSON Content-Type is 415', plain.status === 415, plain.status);
  const html = await post({ jsonrpc: '2.0', id: 8, method: 'ping' }, { ...headers, accept: 'text/html' });
  check('Accept without JSON or SSE is 406', html.status === 406, html.status);
  const jsonOnly = await post({ jsonrpc: '2.0', id: 9, method: 'ping' }, { ...headers, accept: 'application/json' });
  check('Accept application/json alone gets JSON', jsonOnly.status === 200 && jsonOnly.type.startsWith('application/json'), jsonOnly.type);
  const sseOnly = await post({ jsonrpc: '2.0', id: 10, method: 'ping' }, { ...headers, accept: 'text/event-stream' });
  check('Accept text/event-stream alone gets SSE', sseOnly.status === 200 && sseOnly.type.startsWith('text/event-stream') && sseOnly.json?.[0]?.id === 10, sseOnly.text);
  const wildcard = await post({ jsonrpc: '2.0', id: 11, method: 'ping' }, { ...headers, accept: '*/*' });
  check('Accept */* gets an answer', wildcard.status === 200, wildcard.status);

  // JSON-RPC framing.
  const malformed = await post('{"jsonrpc":"2.0",', headers);
  // MCP 2025-11-25 schema: an error for an unidentified request has no id (RequestId is never null).
  check('malformed JSON is 400 -32700 without an id', malformed.status === 400 && malformed.json?.error?.code === -32700 && !('id' in (malformed.json ?? {})), malformed.text);
  const badUtf8 = await post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), headers);
  check('invalid UTF-8 is 400 -32700', badUtf8.status === 400 && badUtf8.json?.error?.code === -32700, badUtf8.text);
  const notRpc = await post({ hello: 'world' }, headers);
  check('a non-JSON-RPC object is 400 -32600', notRpc.status === 400 && notRpc.json?.error?.code === -32600, notRpc.text);
  const nullId = await post({ jsonrpc: '2.0', id: null, method: 'ping' }, headers);
  check('a null request id is refused', nullId.status === 400 && nullId.json?.error?.code === -32600, nullId.text);
  const unknown = await post({ jsonrpc: '2.0', id: 12, method: 'no/such' }, headers);
  check('unknown method is -32601 over HTTP 200', unknown.status === 200 && unknown.json?.error?.code === -32601, unknown.text);
  const response = await post({ jsonrpc: '2.0', id: 99, result: {} }, headers);
  check('a client response is 202', response.status === 202, response.status);

  // Batches exist only in 2025-03-26.
  const batch = [{ jsonrpc: '2.0', id: 20, method: 'ping' }, { jsonrpc: '2.0', id: 21, method: 'ping' }];
  const refusedBatch = await post(batch, headers);
  check('batch under 2025-11-25 is 400 -32600', refusedBatch.status === 400 && refusedBatch.json?.error?.code === -32600, refusedBatch.text);
  const oldSession = await openSession('2025-03-26');
  const oldHeaders = { 'mcp-session-id': oldSession, 'mcp-protocol-version': '2025-03-26' };
  const acceptedBatch = await post(batch, { ...oldHeaders, accept: 'application/json' });
  check('batch under 2025-03-26 answers an array', acceptedBatch.status === 200 && Array.isArray(acceptedBatch.json) && acceptedBatch.json.length === 2, acceptedBatch.text);
  const noteBatch = await post([{ jsonrpc: '2.0', method: 'notifications/initialized' }], oldHeaders);
  check('batch of notifications is 202', noteBatch.status === 202, noteBatch.status);
  const initBatch = await post([initializeBody('2025-03-26', 30)], { ...oldHeaders, accept: 'application/json' });
  check('initialize inside a batch is refused', initBatch.json?.[0]?.error?.code === -32600, initBatch.text);

  // Tools.
  const list = await post({ jsonrpc: '2.0', id: 40, method: 'tools/list' }, headers);
  const tools = list.json?.result?.tools ?? [];
  check('tools/list lists tools', tools.length > 0, list.text);
  check('every inputSchema is an object schema with properties', tools.every((tool) => tool.inputSchema?.type === 'object' && typeof tool.inputSchema.properties === 'object'));
  const again = await post({ jsonrpc: '2.0', id: 41, method: 'tools/list' }, headers);
  check('tools/list order is deterministic', JSON.stringify(again.json?.result) === JSON.stringify(list.json?.result));
  const badCursor = await post({ jsonrpc: '2.0', id: 42, method: 'tools/list', params: { cursor: 'bogus' } }, headers);
  check('invalid cursor is -32602', badCursor.json?.error?.code === -32602, badCursor.text);
  const unknownTool = await post({ jsonrpc: '2.0', id: 43, method: 'tools/call', params: { name: 'nope', arguments: {} } }, headers);
  check('unknown tool is -32602', unknownTool.json?.error?.code === -32602, unknownTool.text);
  const badArgs = await post({ jsonrpc: '2.0', id: 44, method: 'tools/call', params: { name: 'test_sampling', arguments: { prompt: { nested: true } } } }, headers);
  check('invalid arguments are an isError result naming the argument', badArgs.json?.result?.isError === true && /prompt/.test(badArgs.json?.result?.content?.[0]?.text ?? ''), badArgs.text);
  const missingArgs = await post({ jsonrpc: '2.0', id: 45, method: 'tools/call', params: { name: 'test_sampling' } }, headers);
  check('a missing required argument is an isError result naming it', missingArgs.json?.result?.isError === true && /prompt/.test(missingArgs.json?.result?.content?.[0]?.text ?? ''), missingArgs.text);
  const badLevel = await post({ jsonrpc: '2.0', id: 46, method: 'logging/setLevel', params: { level: 'loud' } }, headers);
  check('invalid log level is -32602', badLevel.json?.error?.code === -32602, badLevel.text);
  const progress = await post({ jsonrpc: '2.0', id: 47, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p1' } } }, headers);
  const events = Array.isArray(progress.json) ? progress.json : [];
  check('progress streams as SSE', progress.type.startsWith('text/event-stream'), progress.type);
  check('SSE carries three progress notifications then the response', events.length === 4 && events.slice(0, 3).every((event) => event.method === 'notifications/progress' && event.params.progressToken === 'p1') && events[3].id === 47, progress.text);
  const progressJson = await post({ jsonrpc: '2.0', id: 48, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p2' } } }, { ...headers, accept: 'application/json' });
  check('without SSE in Accept the result comes as JSON', progressJson.type.startsWith('application/json') && progressJson.json?.id === 48, progressJson.text);
  const emptyResources = await post({ jsonrpc: '2.0', id: 49, method: 'resources/templates/list' }, headers);
  check('resources/templates/list answers', Array.isArray(emptyResources.json?.result?.resourceTemplates), emptyResources.text);

  // A body over the server's limit (1 MiB) is refused before parsing: still JSON-RPC, no id.
  const huge = await post(`{"jsonrpc":"2.0","id":48,"method":"ping","params":{"x":"${'a'.repeat(1100000)}"}}`, headers)
    .catch((error) => ({ status: 0, error: String(error) }));
  check('oversized body is 413', huge.status === 413, huge.status || huge.error);
  check('oversized body answers a JSON-RPC error without id',
    huge.json?.jsonrpc === '2.0' && huge.json?.error?.code === -32600 && !('id' in (huge.json ?? {})), huge.text);

  // Origin and Host (MCP 2025-11-25: 403 for a foreign Origin; DNS rebinding).
  const evilOrigin = await post({ jsonrpc: '2.0', id: 50, method: 'ping' }, { ...headers, origin: 'http://evil.example.com' });
  check('foreign Origin is 403', evilOrigin.status === 403, evilOrigin.status);
  const localOrigin = await post({ jsonrpc: '2.0', id: 51, method: 'ping' }, { ...headers, origin: `http://localhost:${new URL(base).port}` });
  check('loopback Origin is accepted', localOrigin.status === 200, localOrigin.status);
  const evilHost = await rawPost({ jsonrpc: '2.0', id: 52, method: 'ping' }, { ...headers, host: 'evil.example.com' });
  check('foreign Host is 403', evilHost.status === 403, evilHost.status);

  // Paths and methods.
  const alias = await post({ jsonrpc: '2.0', id: 53, method: 'ping' }, headers, '/');
  check('/ is an alias of /mcp', alias.status === 200, alias.status);
  const elsewhere = await post({ jsonrpc: '2.0', id: 54, method: 'ping' }, headers, '/other');
  check('other paths are 404', elsewhere.status === 404, elsewhere.status);
  const get = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', ...headers } });
  check('GET without a server stream is 405 with Allow', get.status === 405 && (get.headers.get('allow') ?? '').includes('POST'), get.status);
  const put = await fetch(`${base}/mcp`, { method: 'PUT', headers });
  check('PUT is 405', put.status === 405, put.status);

  // DELETE ends the session; the id is dead afterwards.
  const noDeleteSession = await fetch(`${base}/mcp`, { method: 'DELETE' });
  check('DELETE without a session is 400', noDeleteSession.status === 400, noDeleteSession.status);
  const deleted = await fetch(`${base}/mcp`, { method: 'DELETE', headers });
  check('DELETE of a live session is 200', deleted.status === 200, deleted.status);
  const afterDelete = await post({ jsonrpc: '2.0', id: 55, method: 'ping' }, headers);
  check('a deleted session is 404', afterDelete.status === 404, afterDelete.status);
  const deletedAgain = await fetch(`${base}/mcp`, { method: 'DELETE', headers });
  check('DELETE of a deleted session is 404', deletedAgain.status === 404, deletedAgain.status);
}

async function modernChecks() {
  const discover = await post({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: modernMeta() } }, modernHeaders('server/discover'));
  const result = discover.json?.result ?? {};
  check('server/discover answers', discover.status === 200 && Array.isArray(result.supportedVersions), discover.text);
  check('server/discover lists 2026-07-28 and the legacy revisions', ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'].every((v) => result.supportedVersions?.includes(v)));
  check('server/discover is a cacheable complete result', result.resultType === 'complete' && Number.isInteger(result.ttlMs) && ['public', 'private'].includes(result.cacheScope), result);
  check('no session is issued statelessly', discover.headers.get('mcp-session-id') === null);
  const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: modernMeta() } }, modernHeaders('tools/list'));
  check('stateless tools/list carries ttlMs and cacheScope', Number.isInteger(list.json?.result?.ttlMs) && typeof list.json?.result?.cacheScope === 'string' && list.json?.result?.resultType === 'complete', list.text);
  check('results name the server in _meta', typeof list.json?.result?._meta?.['io.modelcontextprotocol/serverInfo']?.name === 'string');
  const call = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'test_simple_text', arguments: {}, _meta: modernMeta() } }, modernHeaders('tools/call', 'test_simple_text'));
  check('stateless tools/call works', call.json?.result?.content?.[0]?.text === 'This is a simple text response for testing.', call.text);
  const wrongMethod = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: modernMeta() } }, modernHeaders('prompts/list'));
  check('Mcp-Method mismatch is 400 -32020', wrongMethod.status === 400 && wrongMethod.json?.error?.code === -32020, wrongMethod.text);
  const wrongName = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'test_simple_text', arguments: {}, _meta: modernMeta() } }, modernHeaders('tools/call', 'test_error_handling'));
  check('Mcp-Name mismatch is 400 -32020', wrongName.status === 400 && wrongName.json?.error?.code === -32020, wrongName.text);
  const missingName = await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'test_simple_text', arguments: {}, _meta: modernMeta() } }, modernHeaders('tools/call'));
  check('missing Mcp-Name is 400 -32020', missingName.status === 400 && missingName.json?.error?.code === -32020, missingName.text);
  const wrongVersionHeader = await post({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: modernMeta() } }, { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2025-11-25' });
  check('MCP-Protocol-Version differing from _meta is 400 -32020', wrongVersionHeader.status === 400 && wrongVersionHeader.json?.error?.code === -32020, wrongVersionHeader.text);
  const future = await post({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: { _meta: modernMeta('2099-01-01') } }, modernHeaders('tools/list', undefined, '2099-01-01'));
  check('unsupported revision is 400 -32022 with the supported list', future.status === 400 && future.json?.error?.code === -32022 && future.json?.error?.data?.supported?.includes('2026-07-28'), future.text);
  const unknown = await post({ jsonrpc: '2.0', id: 9, method: 'no/such', params: { _meta: modernMeta() } }, modernHeaders('no/such'));
  check('unknown method is HTTP 404 with -32601', unknown.status === 404 && unknown.json?.error?.code === -32601, unknown.text);
  const ping = await post({ jsonrpc: '2.0', id: 10, method: 'ping', params: { _meta: modernMeta() } }, modernHeaders('ping'));
  check('ping no longer exists in 2026-07-28', ping.status === 404 && ping.json?.error?.code === -32601, ping.text);
  // Per-request _meta is mandatory (SEP-2575): 400 with -32602 and the request id.
  const noMeta = await post({ jsonrpc: '2.0', id: 12, method: 'server/discover', params: {} }, modernHeaders('server/discover'));
  check('a request without _meta is 400 -32602 with its id', noMeta.status === 400 && noMeta.json?.error?.code === -32602 && noMeta.json?.id === 12, noMeta.text);
  const noCapabilities = await post({ jsonrpc: '2.0', id: 13, method: 'server/discover', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }, modernHeaders('server/discover'));
  check('_meta without clientCapabilities is 400 -32602', noCapabilities.status === 400 && noCapabilities.json?.error?.code === -32602, noCapabilities.text);
  const mismatchFirst = await post({ jsonrpc: '2.0', id: 14, method: 'server/discover', params: { _meta: modernMeta('v999.0.0') } }, modernHeaders('server/discover'));
  check('a header/_meta version mismatch is -32020 even for an unknown version', mismatchFirst.status === 400 && mismatchFirst.json?.error?.code === -32020, mismatchFirst.text);
  const modernInit = await post({ jsonrpc: '2.0', id: 15, method: 'initialize', params: { _meta: modernMeta() } }, modernHeaders('initialize'));
  check('initialize under 2026-07-28 is HTTP 404 -32601', modernInit.status === 404 && modernInit.json?.error?.code === -32601, modernInit.text);
  const needsSampling = await post({ jsonrpc: '2.0', id: 16, method: 'tools/call', params: { name: 'test_missing_capability', arguments: {}, _meta: modernMeta() } }, modernHeaders('tools/call', 'test_missing_capability'));
  check('an undeclared client capability is HTTP 400 -32021 naming it', needsSampling.status === 400 && needsSampling.json?.error?.code === -32021 && needsSampling.json?.error?.data?.requiredCapabilities?.sampling !== undefined, needsSampling.text);

  // Multi-round-trip requests (SEP-2322): input_required, then the call again with the answers
  // and the echoed requestState, which the server protects against tampering.
  const callState = (id, extra) => post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'test_input_required_result_request_state', arguments: {}, _meta: modernMeta(), ...extra } }, modernHeaders('tools/call', 'test_input_required_result_request_state'));
  const round1 = await callState(17, {});
  const state = round1.json?.result?.requestState;
  check('round 1 is an input_required result with inputRequests and requestState', round1.json?.result?.resultType === 'input_required' && round1.json?.result?.inputRequests?.confirm?.method === 'elicitation/create' && typeof state === 'string', round1.text);
  const answers = { confirm: { action: 'accept', content: { ok: true } } };
  const round2 = await callState(18, { inputResponses: answers, requestState: state });
  check('round 2 with the answers and the state completes', round2.json?.result?.resultType === 'complete' && /state-ok/.test(round2.json?.result?.content?.[0]?.text ?? ''), round2.text);
  const tampered = await callState(19, { inputResponses: answers, requestState: `${state}x` });
  check('a tampered requestState is -32602', tampered.json?.error?.code === -32602, tampered.text);
  // x-mcp-header parameters (SEP-2243): mirrored in Mcp-Param-<name>, literal or strict Base64.
  const routed = (id, headers) => post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'test_custom_header', arguments: { region: 'eu-west' }, _meta: modernMeta() } }, { ...modernHeaders('tools/call', 'test_custom_header'), ...headers });
  const literal = await routed(20, { 'mcp-param-region': 'eu-west' });
  check('a matching Mcp-Param header is accepted', literal.status === 200 && literal.json?.result?.content?.[0]?.text === 'region=eu-west', literal.text);
  const encoded = await routed(21, { 'mcp-param-region': `=?base64?${Buffer.from('eu-west').toString('base64')}?=` });
  check('a Base64 Mcp-Param header is decoded', encoded.status === 200, encoded.text);
  const unpadded = await routed(22, { 'mcp-param-region': '=?base64?ZXUtd2VzdA?=' });
  check('Base64 without its padding is 400 -32020', unpadded.status === 400 && unpadded.json?.error?.code === -32020, unpadded.text);
  const omitted = await routed(23, {});
  check('an omitted Mcp-Param header is 400 -32020', omitted.status === 400 && omitted.json?.error?.code === -32020, omitted.text);
  const base64Name = await post({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'test_simple_text', arguments: {}, _meta: modernMeta() } }, modernHeaders('tools/call', `=?base64?${Buffer.from('test_simple_text').toString('base64')}?=`));
  check('Base64-encoded Mcp-Name is decoded', base64Name.status === 200 && base64Name.json?.result?.content !== undefined, base64Name.text);
}

function sseEvents(text) {
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const event = { data: '' };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data += value;
        else event[field] = value;
      }
      return event;
    });
}

async function resumableStreamCheck() {
  // MCP 2025-11-25, SSE polling: a call that asks the client something answers its POST with the
  // request (after a priming event with an id, and `retry:`), takes the client's answer as a
  // separate POST (202), and delivers the result on GET + Last-Event-ID.
  const init = await post({ ...initializeBody(), params: { ...initializeBody().params, capabilities: { sampling: {} } } });
  const session = init.headers.get('mcp-session-id');
  const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  const call = await post({ jsonrpc: '2.0', id: 60, method: 'tools/call', params: { name: 'test_sampling', arguments: { prompt: 'ping?' } } }, headers);
  const events = sseEvents(call.text);
  check('resumable: the POST answers SSE', call.status === 200 && call.type.startsWith('text/event-stream'), call.type);
  check('resumable: a priming event with an id and no data comes first', events[0]?.id !== undefined && events[0].data === '', events[0]);
  check('resumable: the stream says when to reconnect', events.some((event) => /^\d+$/.test(event.retry ?? '')), call.text);
  const request = events.map((event) => (event.data ? JSON.parse(event.data) : undefined)).find((message) => message?.method === 'sampling/createMessage');
  check('resumable: the POST stream carries sampling/createMessage', request !== undefined && request.id !== undefined, call.text);
  check('resumable: the POST stream ends before the response', !events.some((event) => event.data && JSON.parse(event.data).id === 60), call.text);
  check('resumable: every event has an id', events.every((event) => event.id !== undefined), call.text);
  const answer = await post({ jsonrpc: '2.0', id: request?.id, result: { role: 'assistant', content: { type: 'text', text: 'pong' }, model: 'test-model', stopReason: 'endTurn' } }, headers);
  check('resumable: the client answer is 202', answer.status === 202, answer.status);
  const resumed = await fetch(`${base}/mcp`, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': events.at(-1)?.id ?? '' } });
  const resumedText = await resumed.text();
  const resumedMessages = sseEvents(resumedText).filter((event) => event.data).map((event) => JSON.parse(event.data));
  const result = resumedMessages.find((message) => message.id === 60);
  check('resumable: GET with Last-Event-ID delivers the result', resumed.status === 200 && /pong/.test(result?.result?.content?.[0]?.text ?? ''), resumedText);
  const unknown = await fetch(`${base}/mcp`, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': 'nope:3' } });
  check('resumable: GET with an unknown Last-Event-ID is 405', unknown.status === 405, unknown.status);
  const older = await openSession('2025-06-18');
  const oldCall = await post({ jsonrpc: '2.0', id: 61, method: 'tools/call', params: { name: 'test_sampling', arguments: { prompt: 'ping?' } } }, { 'mcp-session-id': older, 'mcp-protocol-version': '2025-06-18' });
  check('resumable: before 2025-11-25 a sampling tool reports an error result instead', oldCall.status === 200 && oldCall.json?.result?.isError === true, oldCall.text);
}

async function sharedKeyCheck() {
  // Any instance holding the same key accepts a session minted by another one.
  const key = 'transport-test-shared-key';
  const first = await startServer({ CAPSTAN_MCP_SESSION_KEY: key });
  const second = await startServer({ CAPSTAN_MCP_SESSION_KEY: key });
  const third = await startServer({ CAPSTAN_MCP_SESSION_KEY: 'another-key' });
  base = `http://127.0.0.1:${first}`;
  const session = await openSession();
  base = `http://127.0.0.1:${second}`;
  const elsewhere = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': session });
  check('a session id works on another instance with the same key', elsewhere.status === 200, elsewhere.status);
  base = `http://127.0.0.1:${third}`;
  const foreign = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': session });
  check('a session id signed with another key is 404', foreign.status === 404, foreign.status);
}

async function stdioCheck() {
  const child = spawn(binary, ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const messages = [
    initializeBody('2025-06-18'),
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'ping' },
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'test_simple_text', arguments: {} } },
    { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 7 } } },
  ];
  child.stdin.write(messages.map((message) => JSON.stringify(message)).join('\n') + '\nnot json\n');
  child.stdin.end();
  const code = await exited;
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  let allJson = true;
  const parsed = [];
  for (const line of lines) {
    try {
      parsed.push(JSON.parse(line));
    } catch {
      allJson = false;
    }
  }
  check('stdio: exits 0 at end of input', code === 0, code);
  check('stdio: every stdout line is one JSON message', allJson && lines.length > 0, stdout);
  const byId = new Map(parsed.filter((message) => message.id !== undefined).map((message) => [message.id, message]));
  check('stdio: initialize echoes 2025-06-18', byId.get(1)?.result?.protocolVersion === '2025-06-18', byId.get(1));
  check('stdio: ping answers {}', JSON.stringify(byId.get(2)?.result) === '{}');
  check('stdio: tools/call answers', byId.get(3)?.result?.content?.[0]?.text === 'This is a simple text response for testing.');
  check('stdio: progress notifications arrive before the result', parsed.filter((message) => message.method === 'notifications/progress').length === 3 && byId.get(4)?.result !== undefined);
  check('stdio: a bad line is a parse error without an id', parsed.some((message) => message.error?.code === -32700 && !('id' in message)));
}

try {
  const port = await startServer();
  base = `http://127.0.0.1:${port}`;
  await legacyChecks();
  await modernChecks();
  await resumableStreamCheck();
  await sharedKeyCheck();
  await stdioCheck();
} catch (error) {
  failures.push(`exception: ${error.stack ?? error}`);
  console.log(error);
} finally {
  stopServers();
}
console.log(`Total: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
