// The sandbox's HTTP contract, row by row: research-notes/midjourney-api.md §6.3 (with its
// decision note: cancelling a completed or failed job is 400, as the jobs OpenAPI declares),
// the jobs OpenAPI (list parameters and JobListResponse) and the job JSON Schema. Runs the real
// binary with the demo fixtures and a frozen clock, so that every state stays put.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  STATUSES, TERMINAL, assertJobSchema, compareJobs, errorShapeProblem, get, isJsonContentType,
  listAll, post, request, startSandbox,
} from './lib.mjs';

let sb;
before(async () => { sb = await startSandbox(['--fixtures', '--speed', '0']); });
after(async () => { await sb?.stop(); });

// A job of the given status, found through the API (never by a sandbox-specific id).
async function jobWith(status, skip = 0) {
  const r = await get(sb, `/v1/jobs?status=${status}&limit=100&sort=created_at_asc`);
  assert.equal(r.status, 200);
  assert.ok(r.json.data.length > skip, `the fixtures hold more than ${skip} ${status} jobs`);
  return r.json.data[skip];
}

function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: HTTP status (${r.text})`);
  assert.equal(errorShapeProblem(r), null, `${what}: error body shape`);
  if (code) assert.equal(r.json.code, code, `${what}: error code`);
}

test('fixtures cover every status and type, enough for several pages of 25', async () => {
  const { jobs, total } = await listAll(sb);
  assert.equal(jobs.length, total);
  assert.ok(total > 50, `at least three pages of 25 (total ${total})`);
  for (const status of STATUSES) {
    assert.ok(jobs.filter((j) => j.status === status).length >= 2, `>= 2 ${status} jobs`);
  }
  for (const type of ['imagine', 'upscale', 'variation', 'describe', 'blend']) {
    assert.ok(jobs.some((j) => j.type === type), `a ${type} job`);
  }
});

test('every listed job satisfies the job schema and the per-state invariants', async () => {
  const { jobs } = await listAll(sb);
  for (const job of jobs) {
    assertJobSchema(job, `job ${job.id}`);
    const what = `${job.status} job ${job.id}`;
    assert.equal(TERMINAL.has(job.status), job.completed_at !== undefined,
                 `${what}: terminal <=> completed_at set`);
    assert.ok(Date.parse(job.updated_at) >= Date.parse(job.created_at), `${what}: updated >= created`);
    if (job.completed_at) assert.ok(Date.parse(job.completed_at) >= Date.parse(job.created_at));
    switch (job.status) {
      case 'pending':
        assert.equal(job.progress, 0, what);
        assert.equal(job.result, undefined, what);
        assert.equal(job.error, undefined, what);
        break;
      case 'in_progress':
        assert.ok(job.progress >= 1 && job.progress <= 99, `${what}: progress ${job.progress}`);
        assert.equal(job.result, undefined, what);
        assert.equal(job.error, undefined, what);
        break;
      case 'completed': {
        assert.equal(job.progress, 100, what);
        assert.equal(job.error, undefined, what);
        assert.ok(job.result, `${what}: has a result`);
        const images = job.result.images ?? [];
        if (job.type === 'upscale') {
          assert.equal(images.length, 1, `${what}: one upscaled image`);
          assert.equal(images[0].index, undefined, `${what}: the upscale has no grid index`);
        } else if (job.type === 'describe') {
          assert.ok(Array.isArray(job.result.prompts) && job.result.prompts.length > 0, what);
        } else {
          assert.equal(images.length, 5, `${what}: a grid and four cells`);
          assert.equal(images[0].index, undefined, `${what}: the grid has no index`);
          assert.deepEqual(images.slice(1).map((i) => i.index), [1, 2, 3, 4], what);
        }
        break;
      }
      case 'failed':
        assert.ok(job.error && job.error.code && job.error.message, `${what}: error {code, message}`);
        assert.equal(job.result, undefined, what);
        break;
      case 'cancelled':
        assert.equal(job.error, undefined, what);
        assert.equal(job.result, undefined, what);
        break;
    }
    if (job.type === 'upscale' || job.type === 'variation') {
      assert.ok(job.parent_job_id, `${what}: parent_job_id`);
      assert.ok(job.image_index >= 1 && job.image_index <= 4, `${what}: image_index`);
      const parent = await get(sb, `/v1/jobs/${job.parent_job_id}`);
      assert.equal(parent.status, 200, `${what}: its parent exists`);
    }
  }
});

// ---- GET /v1/jobs/{jobId}, per state ------------------------------------------------------

for (const status of STATUSES) {
  test(`GET a ${status} job answers 200 with the job`, async () => {
    const listed = await jobWith(status);
    const r = await get(sb, `/v1/jobs/${listed.id}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(isJsonContentType(r.headers['content-type']), r.headers['content-type']);
    assertJobSchema(r.json);
    assert.deepEqual(r.json, listed, 'the job is the one the list shows');
  });
}

test('GET an unknown job answers 404 job_not_found echoing the id', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const r = await get(sb, `/v1/jobs/${id}`);
    assertError(r, 404, 'job_not_found', `GET ${id}`);
    assert.ok(r.json.message.includes(id), `message names the id: ${r.json.message}`);
  }
});

// ---- POST /v1/jobs/{jobId}/cancel, per state ------------------------------------------------

test('cancel of a pending job answers 200 cancelled, progress 0, completed_at = updated_at', async () => {
  const before_ = await jobWith('pending');
  const r = await post(sb, `/v1/jobs/${before_.id}/cancel`);
  assert.equal(r.status, 200, r.text);
  assert.ok(isJsonContentType(r.headers['content-type']));
  assertJobSchema(r.json);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.progress, 0);
  assert.equal(r.json.completed_at, r.json.updated_at);
  assert.equal(r.json.created_at, before_.created_at);
  assert.equal(r.json.error, undefined);
  assert.equal(r.json.result, undefined);
  for (const key of ['id', 'type', 'prompt', 'parameters']) assert.deepEqual(r.json[key], before_[key], key);
  assert.deepEqual((await get(sb, `/v1/jobs/${before_.id}`)).json, r.json, 'the change is stored');
});

test('cancel of an in_progress job answers 200 cancelled with progress frozen', async () => {
  const before_ = await jobWith('in_progress');
  const r = await post(sb, `/v1/jobs/${before_.id}/cancel`);
  assert.equal(r.status, 200, r.text);
  assertJobSchema(r.json);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.progress, before_.progress, 'progress stays where it was');
  assert.ok(r.json.completed_at, 'a cancelled job is terminal');
  assert.equal(r.json.completed_at, r.json.updated_at);
  assert.deepEqual((await get(sb, `/v1/jobs/${before_.id}`)).json, r.json);
});

test('cancel of a cancelled job answers 200 with the job unchanged', async () => {
  const before_ = await jobWith('cancelled');
  for (let i = 0; i < 2; ++i) {
    const r = await post(sb, `/v1/jobs/${before_.id}/cancel`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, before_, 'timestamps and progress untouched');
  }
});

for (const status of ['completed', 'failed']) {
  test(`cancel of a ${status} job answers 400 job_not_cancellable and changes nothing`, async () => {
    const before_ = await jobWith(status);
    const r = await post(sb, `/v1/jobs/${before_.id}/cancel`);
    assertError(r, 400, 'job_not_cancellable', `cancel ${status}`);
    assert.ok(r.json.message.includes(status), `message says why: ${r.json.message}`);
    assert.deepEqual((await get(sb, `/v1/jobs/${before_.id}`)).json, before_);
  });
}

test('cancel of an unknown job answers 404 job_not_found', async () => {
  const r = await post(sb, '/v1/jobs/00000000-0000-4000-8000-00000000dead/cancel');
  assertError(r, 404, 'job_not_found', 'cancel unknown');
});

test('cancel accepts an empty body with or without Content-Type', async () => {
  const a = await jobWith('pending');
  const r1 = await request(sb, 'POST', `/v1/jobs/${a.id}/cancel`, { headers: sb.auth });
  assert.equal(r1.status, 200, r1.text);
  const r2 = await request(sb, 'POST', `/v1/jobs/${a.id}/cancel`,
                           { headers: { ...sb.auth, 'Content-Type': 'application/json' }, body: '' });
  assert.equal(r2.status, 200, r2.text);
  assert.deepEqual(r2.json, r1.json);
});

for (const status of ['pending', 'in_progress']) {
  test(`20 concurrent cancels of one ${status} job: one transition, identical bodies`, async () => {
    // Earlier tests cancelled other jobs of this status; the first one left is untouched.
    const target = await jobWith(status);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(sb, `/v1/jobs/${target.id}/cancel`)));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    const bodies = new Set(answers.map((r) => r.text));
    assert.equal(bodies.size, 1, `every caller saw the same job: ${[...bodies].join('\n')}`);
    const job = answers[0].json;
    assert.equal(job.status, 'cancelled');
    assert.equal(job.progress, target.progress);
    assert.deepEqual((await get(sb, `/v1/jobs/${target.id}`)).json, job, 'stored once');
  });
}

// ---- GET /v1/jobs -----------------------------------------------------------------------

test('list body is {data, total, limit, offset} with the defaults limit 25, offset 0', async () => {
  const r = await get(sb, '/v1/jobs');
  assert.equal(r.status, 200);
  assert.ok(isJsonContentType(r.headers['content-type']));
  assert.deepEqual(Object.keys(r.json).sort(), ['data', 'limit', 'offset', 'total']);
  assert.equal(r.json.limit, 25);
  assert.equal(r.json.offset, 0);
  assert.ok(Number.isInteger(r.json.total));
  assert.equal(r.json.data.length, Math.min(25, r.json.total));
  const all = await listAll(sb);
  assert.equal(r.json.total, all.total, 'total counts every job');
});

test('default sort is created_at_desc', async () => {
  const byDefault = await get(sb, '/v1/jobs?limit=100');
  const desc = await get(sb, '/v1/jobs?limit=100&sort=created_at_desc');
  assert.deepEqual(byDefault.json.data.map((j) => j.id), desc.json.data.map((j) => j.id));
});

for (const sort of ['created_at_asc', 'created_at_desc']) {
  test(`${sort}: pages of 7 concatenate to one stable (created_at, id) order`, async () => {
    const direction = sort.endsWith('asc') ? 1 : -1;
    const whole = await get(sb, `/v1/jobs?sort=${sort}&limit=100`);
    const ids = [];
    for (let offset = 0; offset < whole.json.total; offset += 7) {
      const page = await get(sb, `/v1/jobs?sort=${sort}&limit=7&offset=${offset}`);
      assert.equal(page.status, 200);
      assert.equal(page.json.offset, offset);
      assert.equal(page.json.limit, 7);
      assert.equal(page.json.data.length, Math.min(7, whole.json.total - offset));
      ids.push(...page.json.data.map((j) => j.id));
    }
    assert.equal(new Set(ids).size, ids.length, 'no job appears on two pages');
    assert.deepEqual(ids, whole.json.data.map((j) => j.id), 'paging matches one big page');
    const data = whole.json.data;
    for (let i = 1; i < data.length; ++i) {
      assert.equal(Math.sign(compareJobs(data[i], data[i - 1])), direction,
                   `${data[i - 1].id} then ${data[i].id}`);
    }
    assert.ok(data.some((j, i) => i > 0 && j.created_at === data[i - 1].created_at),
              'the fixtures include equal created_at, so the id tie-break is exercised');
  });
}

for (const status of STATUSES) {
  test(`status=${status} returns only ${status} jobs and counts them in total`, async () => {
    const all = await listAll(sb);
    const expected = all.jobs.filter((j) => j.status === status).map((j) => j.id);
    const filtered = await listAll(sb, `status=${status}`, 3);
    assert.equal(filtered.total, expected.length);
    assert.ok(filtered.jobs.every((j) => j.status === status));
    assert.deepEqual(filtered.jobs.map((j) => j.id), expected, 'same order as unfiltered');
  });
}

test('limit 1 and 100 are accepted; offset past the end gives an empty page', async () => {
  for (const limit of [1, 100]) {
    const r = await get(sb, `/v1/jobs?limit=${limit}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.limit, limit);
    assert.equal(r.json.data.length, Math.min(limit, r.json.total));
  }
  const total = (await get(sb, '/v1/jobs')).json.total;
  for (const offset of [total, total + 1000]) {
    const r = await get(sb, `/v1/jobs?offset=${offset}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.data, []);
    assert.equal(r.json.total, total);
    assert.equal(r.json.offset, offset);
  }
});

const badParams = {
  limit: ['0', '101', '-1', 'abc', '1.5', '', '1e1', '+5', '%205', '0x10', '99999999999999999999'],
  offset: ['-1', 'x', '1.0', '', '1e3'],
  status: ['PENDING', 'done', '', 'in-progress', 'pending,failed'],
  sort: ['created_at', 'CREATED_AT_ASC', 'asc', '', '-created_at'],
};
for (const [name, values] of Object.entries(badParams)) {
  test(`invalid ${name} answers 400 invalid_parameter naming ${name}`, async () => {
    for (const value of values) {
      const r = await get(sb, `/v1/jobs?${name}=${value}`);
      assertError(r, 400, 'invalid_parameter', `${name}=${value}`);
      assert.ok(r.json.message.includes(name), `message names '${name}': ${r.json.message}`);
    }
  });
}

test('a repeated list parameter answers 400 naming it; unknown ones are ignored', async () => {
  const r = await get(sb, '/v1/jobs?limit=5&limit=6');
  assertError(r, 400, 'invalid_parameter', 'repeated limit');
  assert.ok(r.json.message.includes('limit'));
  const ok = await get(sb, '/v1/jobs?page=3&foo=bar');
  assert.equal(ok.status, 200);
  assert.equal(ok.json.limit, 25);
});

// ---- auth, methods, paths ------------------------------------------------------------------

const someId = '00000000-0000-4000-8000-000000000001';
const routes = [
  ['GET', '/v1/jobs'], ['GET', `/v1/jobs/${someId}`], ['POST', `/v1/jobs/${someId}/cancel`],
  ['POST', '/v1/imagine'],
];

test('every route answers 401 with WWW-Authenticate: Bearer without a valid bearer token', async () => {
  const variants = {
    none: {},
    blank: { Authorization: '' },
    'scheme only': { Authorization: 'Bearer' },
    'wrong token': { Authorization: 'Bearer not-the-token' },
    'other scheme': { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    'token without scheme': { Authorization: sb.token },
  };
  for (const [method, target] of routes) {
    for (const [name, headers] of Object.entries(variants)) {
      const body = method === 'POST' ? '{"prompt":"x"}' : undefined;
      const r = await request(sb, method, target,
                              { headers: { ...headers, 'Content-Type': 'application/json' }, body });
      assertError(r, 401, 'unauthorized', `${method} ${target} (${name})`);
      // RFC 6750 §3: the challenge names the Bearer scheme.
      assert.match(r.headers['www-authenticate'] ?? '', /^Bearer(\s|$)/, `${name}: challenge`);
      assert.ok(!r.text.includes(sb.token), 'the token is never echoed');
    }
  }
});

test('the bearer scheme name is case-insensitive (RFC 7235 §2.1)', async () => {
  const r = await get(sb, '/v1/jobs?limit=1', { Authorization: `bearer ${sb.token}` });
  assert.equal(r.status, 200);
});

test('wrong methods answer 405 with Allow', async () => {
  const cases = [
    ['POST', '/v1/jobs', 'GET'], ['DELETE', '/v1/jobs', 'GET'], ['PUT', `/v1/jobs/${someId}`, 'GET'],
    ['DELETE', `/v1/jobs/${someId}`, 'GET'], ['GET', `/v1/jobs/${someId}/cancel`, 'POST'],
    ['GET', '/v1/imagine', 'POST'], ['PATCH', '/v1/imagine', 'POST'],
  ];
  for (const [method, target, allow] of cases) {
    const r = await request(sb, method, target, { headers: sb.auth });
    assertError(r, 405, 'method_not_allowed', `${method} ${target}`);
    const allowed = (r.headers.allow ?? '').split(',').map((s) => s.trim());
    assert.ok(allowed.includes(allow), `${method} ${target}: Allow "${r.headers.allow}"`);
    assert.ok(!allowed.includes(method), `${method} is not in Allow`);
  }
});

test('the public gallery and image paths answer 405 with Allow: GET to other methods', async () => {
  for (const [method, target] of [['POST', '/'], ['DELETE', '/'], ['PUT', '/images/x/grid.png']]) {
    const r = await request(sb, method, target, { headers: sb.auth });
    assertError(r, 405, 'method_not_allowed', `${method} ${target}`);
    assert.equal(r.headers.allow, 'GET');
  }
});

test('with a frozen clock (--speed 0) a new job stays pending, and cancelling it is the pending row', async () => {
  const created = await post(sb, '/v1/imagine', JSON.stringify({ prompt: 'a paper boat' }));
  assert.equal(created.status, 200, created.text);
  assert.equal(created.json.status, 'pending');
  const again = await get(sb, `/v1/jobs/${created.json.id}`);
  assert.deepEqual(again.json, created.json, 'nothing moves on a frozen clock');
  const cancelled = await post(sb, `/v1/jobs/${created.json.id}/cancel`);
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.json.status, 'cancelled');
  assert.equal(cancelled.json.progress, 0);
  assert.equal(cancelled.json.completed_at, cancelled.json.updated_at);
});

test('unknown paths answer 404 not_found and never redirect', async () => {
  for (const target of ['/v2/jobs', '/v1/jobs/', `/v1/jobs/${someId}/`, `/v1/jobs/${someId}/cancel/`,
                        `/v1/jobs/${someId}/delete`, '/v1', '/v1/', '/jobs', '/v1/job',
                        '/v1/imagine/x', '/v1//jobs']) {
    const r = await get(sb, target);
    assertError(r, 404, null, `GET ${target}`);
    assert.ok(['not_found', 'job_not_found'].includes(r.json.code), `${target}: ${r.json.code}`);
    assert.equal(r.headers.location, undefined, `${target}: no redirect`);
  }
});

test('path ids with "/", "%", "..", unicode or huge length answer a clean 4xx', async () => {
  const ids = ['a%2Fb', '%2F', '..', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%25', '%2525', '%00',
               '%E2%9C%93', '%FF%FE', "'%20OR%201=1", 'x'.repeat(5000), '%zz', '%'];
  for (const id of ids) {
    for (const [method, target] of [['GET', `/v1/jobs/${id}`], ['POST', `/v1/jobs/${id}/cancel`]]) {
      const r = await request(sb, method, target, { headers: sb.auth });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${target.slice(0, 60)}: ${r.status}`);
      assert.notEqual(r.status, 401);
      if (r.status !== 431 && r.status !== 414) {
        assert.equal(errorShapeProblem(r), null, `${method} ${target.slice(0, 60)}: error shape`);
      }
    }
  }
  // Decoded ids are echoed verbatim (JSON-escaped): '%2F' decodes to '/', '%E2%9C%93' to '✓'.
  const slash = await get(sb, '/v1/jobs/a%2Fb');
  assertError(slash, 404, 'job_not_found', 'a%2Fb');
  assert.ok(slash.json.message.includes('a/b'), slash.json.message);
  const check = await get(sb, '/v1/jobs/%E2%9C%93');
  assert.ok(check.json.message.includes('✓'), check.json.message);
  const alive = await get(sb, '/v1/jobs?limit=1');
  assert.equal(alive.status, 200, 'the sandbox still answers');
});
