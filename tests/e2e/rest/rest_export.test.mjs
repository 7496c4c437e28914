// `capstan export openapi` on the seed capability: the document describes the three routes with
// the parameters DESIGN.md "Semantics" 4 infers, and Spectral's `spectral:oas` ruleset finds no
// error in it.
//
// usage: node rest_export.test.mjs <capstan-binary> <capability-file> <spectral-binary>
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, after } from 'node:test';
import { fileURLToPath } from 'node:url';

const [capstan, capability, spectral] = process.argv.slice(2);
assert.ok(capstan && capability && spectral, 'usage: rest_export.test.mjs <capstan> <capability> <spectral>');
const here = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'capstan-export-'));
after(() => rmSync(work, { recursive: true, force: true }));

// No MIDJOURNEY_API_KEY: describing the adapter must not need the secret.
const env = { ...process.env };
delete env.MIDJOURNEY_API_KEY;

const out = path.join(work, 'openapi.json');
execFileSync(capstan, ['export', 'openapi', capability, '--adapter', 'image-generation-jobs-rest',
  '-o', out], { env, stdio: ['ignore', 'ignore', 'pipe'] });
const doc = JSON.parse(readFileSync(out, 'utf8'));

function resolve(node) {
  if (node && node.$ref) {
    return node.$ref.slice(2).split('/').reduce((at, key) => at[key], doc);
  }
  return node;
}

test('the document is OpenAPI 3.1', () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
});

test('one path per exposed resource, placeholders in OpenAPI single braces', () => {
  assert.deepEqual(Object.keys(doc.paths).sort(),
    ['/v1/v1/jobs', '/v1/v1/jobs/{jobid}', '/v1/v1/jobs/{jobid}/cancel']);
  assert.deepEqual(Object.keys(doc.paths['/v1/v1/jobs']), ['get']);
  assert.deepEqual(Object.keys(doc.paths['/v1/v1/jobs/{jobid}']), ['get']);
  assert.deepEqual(Object.keys(doc.paths['/v1/v1/jobs/{jobid}/cancel']), ['post']);
});

test('operationIds are the operation names and unique', () => {
  const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
  assert.deepEqual(ids.sort(), ['canceljob', 'getjobstatus', 'listjobs']);
});

test('list parameters are the with-referenced query names, typed from the consumed parameters', () => {
  const params = doc.paths['/v1/v1/jobs'].get.parameters.map(resolve);
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  assert.deepEqual(Object.keys(byName).sort(), ['limit', 'offset', 'sort', 'status']);
  for (const p of params) {
    assert.equal(p.in, 'query');
    assert.equal(p.required, false, `${p.name} is optional upstream`);
  }
  assert.equal(byName.limit.schema.type, 'integer');
  assert.equal(byName.offset.schema.type, 'integer');
  assert.equal(byName.status.schema.type, 'string');
  assert.equal(byName.sort.schema.type, 'string');
  assert.equal(byName.limit.description, 'Maximum number of jobs to return per page.');
});

test('job routes take jobid as a required string path parameter', () => {
  for (const op of [doc.paths['/v1/v1/jobs/{jobid}'].get, doc.paths['/v1/v1/jobs/{jobid}/cancel'].post]) {
    const params = op.parameters.map(resolve);
    assert.equal(params.length, 1, JSON.stringify(params));
    assert.deepEqual({ name: params[0].name, in: params[0].in, required: params[0].required,
      type: params[0].schema.type }, { name: 'jobid', in: 'path', required: true, type: 'string' });
  }
});

test('responses: shaped 200 JSON, problem+json for capstan\'s own 400/502/504', () => {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      assert.ok(op.responses['200'].content['application/json'], 'JSON success');
      for (const status of ['400', '502', '504']) {
        const response = resolve(op.responses[status]);
        const media = response.content['application/problem+json'];
        assert.ok(media, `${op.operationId} ${status} is RFC 9457 problem+json`);
        const schema = resolve(media.schema);
        for (const member of ['type', 'title', 'status']) {
          assert.ok(schema.properties[member], `problem schema has ${member} (RFC 9457 §3.1)`);
        }
      }
    }
  }
});

test('Spectral spectral:oas reports no errors', () => {
  const run = spawnSync(spectral, ['lint', out, '--ruleset', path.join(here, 'spectral-oas.yaml'),
    '--format', 'json', '--fail-severity', 'error', '--quiet'], { encoding: 'utf8' });
  let results;
  try {
    results = JSON.parse(run.stdout || '[]');
  } catch {
    assert.fail(`spectral printed no JSON (exit ${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  // Spectral severities: 0 error, 1 warning, 2 info, 3 hint.
  const errors = results.filter((r) => r.severity === 0);
  assert.deepEqual(errors, [], 'no spectral:oas errors');
  assert.equal(run.status, 0, `spectral exit ${run.status}: ${run.stderr}`);
});

function lintErrors(file) {
  const run = spawnSync(spectral, ['lint', file, '--ruleset', path.join(here, 'spectral-oas.yaml'),
    '--format', 'json', '--fail-severity', 'error', '--quiet'], { encoding: 'utf8' });
  const results = JSON.parse(run.stdout || '[]');
  return results.filter((r) => r.severity === 0);
}

test('an adapter with inbound bearer auth declares the scheme and its 401', () => {
  const seed = readFileSync(capability, 'utf8');
  const bindLine = '    MIDJOURNEY_API_KEY: MIDJOURNEY_API_KEY\n';
  const restHead = '    namespace: image-generation-jobs-rest\n    port: 8080\n';
  const guarded = seed.replace(bindLine, `${bindLine}    REST_TOKEN: REST_TOKEN\n`)
    .replace(restHead, `${restHead}    authentication:\n      type: bearer\n` +
      "      token: '{{env.REST_TOKEN}}'\n");
  assert.notEqual(guarded, seed);
  const file = path.join(work, 'guarded.yaml');
  writeFileSync(file, guarded);
  const guardedOut = path.join(work, 'guarded.json');
  execFileSync(capstan, ['export', 'openapi', file, '-o', guardedOut], { env, stdio: 'ignore' });
  const secured = JSON.parse(readFileSync(guardedOut, 'utf8'));
  const schemes = Object.values(secured.components.securitySchemes);
  // OpenAPI 3.1 §4.8.27: HTTP bearer authentication is type http, scheme bearer.
  assert.deepEqual(schemes, [{ type: 'http', scheme: 'bearer' }]);
  assert.ok(Array.isArray(secured.security) && secured.security.length === 1);
  for (const item of Object.values(secured.paths)) {
    for (const op of Object.values(item)) assert.ok(op.responses['401'], `${op.operationId} 401`);
  }
  assert.ok(!readFileSync(guardedOut, 'utf8').includes('export-placeholder'),
    'no stand-in credential leaks into the document');
  assert.deepEqual(lintErrors(guardedOut), []);
});

test('an unknown --adapter is refused', () => {
  const run = spawnSync(capstan, ['export', 'openapi', capability, '--adapter', 'no-such-adapter'],
    { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /no-such-adapter/);
});
