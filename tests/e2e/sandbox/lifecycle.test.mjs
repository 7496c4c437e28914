// Jobs created through POST /v1/imagine (image-generation OpenAPI, ImagineRequest) and advanced
// by the sandbox's scheduler on a fast clock: the request validation, the polled history of
// each job against the invariants of research-notes/midjourney-api.md §6.1-6.2 and the job
// schema, and the result PNGs the sandbox serves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TERMINAL, assertJobSchema, errorShapeProblem, get, imagine, isJsonContentType, parsePng,
  pollJob, post, request, startSandbox,
} from './lib.mjs';

let sb;
// --speed 4: a fast-mode job queues for about 0.25 s and runs for about 1.5 s.
before(async () => { sb = await startSandbox(['--speed', '4']); });
after(async () => { await sb?.stop(); });

// §6.2: the only edges; pending may also go straight to failed (moderation) or cancelled.
const EDGES = {
  pending: ['pending', 'in_progress', 'failed', 'cancelled'],
  in_progress: ['in_progress', 'completed', 'failed', 'cancelled'],
  completed: ['completed'], failed: ['failed'], cancelled: ['cancelled'],
};

function checkHistory(history) {
  let previous;
  for (const job of history) {
    const what = `${job.id} at ${job.status}/${job.progress}`;
    assertJobSchema(job, what);
    assert.equal(TERMINAL.has(job.status), job.completed_at !== undefined,
                 `${what}: terminal <=> completed_at set`);
    assert.ok(Date.parse(job.updated_at) >= Date.parse(job.created_at), `${what}: updated >= created`);
    if (job.status === 'pending') assert.equal(job.progress, 0, what);
    if (job.status === 'in_progress') assert.ok(job.progress >= 1 && job.progress <= 99, what);
    if (job.status === 'completed') assert.equal(job.progress, 100, what);
    if (job.status === 'failed') assert.ok(job.error?.code && job.error?.message, `${what}: error`);
    if (job.status !== 'completed') assert.equal(job.result, undefined, `${what}: no result yet`);
    if (job.completed_at) assert.equal(job.completed_at, job.updated_at, `${what}: finished when last updated`);
    if (previous) {
      assert.ok(EDGES[previous.status].includes(job.status), `${previous.status} -> ${job.status}`);
      assert.ok(job.progress >= previous.progress, `${what}: progress never decreases`);
      assert.ok(Date.parse(job.updated_at) >= Date.parse(previous.updated_at), `${what}: updated_at`);
      assert.equal(job.created_at, previous.created_at, `${what}: created_at is fixed`);
      if (TERMINAL.has(previous.status)) assert.deepEqual(job, previous, `${what}: terminal jobs stay put`);
    }
    previous = job;
  }
}

const terminal = (job) => TERMINAL.has(job.status);

test('imagine creates a pending job that echoes the request and validates', async () => {
  const fields = {
    prompt: 'a red kite over green hills', aspect_ratio: '16:9', model_version: '7.0',
    process_mode: 'turbo', quality: 2, stylize: 250, chaos: 10, seed: 4294967295,
    no: 'people', webhook_url: 'https://example.com/hook', webhook_type: 'progress',
  };
  const r = await imagine(sb, fields);
  assert.equal(r.status, 200, r.text);
  assert.ok(isJsonContentType(r.headers['content-type']));
  assertJobSchema(r.json);
  const job = r.json;
  assert.equal(job.type, 'imagine');
  assert.equal(job.status, 'pending');
  assert.equal(job.progress, 0);
  assert.equal(job.prompt, fields.prompt);
  assert.equal(job.completed_at, undefined);
  for (const key of ['aspect_ratio', 'model_version', 'process_mode', 'quality', 'stylize', 'chaos', 'seed', 'no']) {
    assert.equal(job.parameters[key], fields[key], `parameters.${key}`);
  }
  assert.equal(job.webhook_url, fields.webhook_url);
  assert.equal(job.webhook_type, fields.webhook_type);
  const fetched = await get(sb, `/v1/jobs/${job.id}`);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.json.id, job.id);
});

test('imagine defaults follow the contract (1:1, fast, quality 1, stylize 100, chaos 0)', async () => {
  const r = await imagine(sb, { prompt: 'a teapot' });
  assert.equal(r.status, 200, r.text);
  const p = r.json.parameters;
  assert.deepEqual([p.aspect_ratio, p.process_mode, p.quality, p.stylize, p.chaos],
                   ['1:1', 'fast', 1, 100, 0]);
  assert.ok(Number.isInteger(p.seed) && p.seed >= 0 && p.seed <= 4294967295, `seed ${p.seed}`);
});

test('imagine keeps unicode prompts exactly and counts maxLength in characters', async () => {
  const prompt = '東京の夜景, café au lait 🌃 — «quotes» "and" \\ backslash\nnew line';
  const r = await imagine(sb, { prompt });
  assert.equal(r.status, 200, r.text);
  assert.equal((await get(sb, `/v1/jobs/${r.json.id}`)).json.prompt, prompt);
  // JSON Schema maxLength counts code points: 4000 emoji (16000 UTF-8 bytes) are fine.
  const atLimit = await imagine(sb, { prompt: '🌃'.repeat(4000) });
  assert.equal(atLimit.status, 200, atLimit.text);
  const over = await imagine(sb, { prompt: '🌃'.repeat(4001) });
  assert.equal(over.status, 400, over.text);
  assert.equal(errorShapeProblem(over), null);
});

test('invalid imagine bodies answer a clean 4xx with the error body, never 5xx', async () => {
  const json = { 'Content-Type': 'application/json' };
  const cases = [
    ['malformed JSON', '{"prompt":', json],
    ['trailing garbage', '{"prompt":"x"} extra', json],
    ['not an object', '[1]', json],
    ['a bare string', '"prompt"', json],
    ['empty body', '', json],
    ['missing prompt', '{}', json],
    ['empty prompt', '{"prompt":""}', json],
    ['prompt not a string', '{"prompt":42}', json],
    ['prompt over 4000 characters', JSON.stringify({ prompt: 'a'.repeat(4001) }), json],
    ['huge prompt (60 KB)', JSON.stringify({ prompt: 'a'.repeat(60000) }), json],
    ['unknown field', '{"prompt":"x","colour":"red"}', json],
    ['aspect_ratio off pattern', '{"prompt":"x","aspect_ratio":"16x9"}', json],
    ['model_version outside enum', '{"prompt":"x","model_version":"8"}', json],
    ['process_mode outside enum', '{"prompt":"x","process_mode":"slow"}', json],
    ['quality outside enum', '{"prompt":"x","quality":3}', json],
    ['stylize above 1000', '{"prompt":"x","stylize":1001}', json],
    ['stylize not an integer', '{"prompt":"x","stylize":1.5}', json],
    ['chaos above 100', '{"prompt":"x","chaos":101}', json],
    ['negative seed', '{"prompt":"x","seed":-1}', json],
    ['seed above 2^32-1', '{"prompt":"x","seed":4294967296}', json],
    ['webhook_url not a URI', '{"prompt":"x","webhook_url":"not a url"}', json],
    ['webhook_type outside enum', '{"prompt":"x","webhook_type":"always"}', json],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x70, 0x72, 0x6f, 0x6d, 0x70, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), json],
    ['deep nesting', '{"prompt":"x","no":' + '['.repeat(10000) + ']'.repeat(10000) + '}', json],
    ['oversized body (200 KB)', JSON.stringify({ prompt: 'x', no: 'n'.repeat(200000) }), json],
    ['oversized body (3 MB)', JSON.stringify({ prompt: 'x', no: 'n'.repeat(3000000) }), json],
    ['no Content-Type', '{"prompt":"x"}', {}],
    ['text/plain', '{"prompt":"x"}', { 'Content-Type': 'text/plain' }],
  ];
  const before_ = (await get(sb, '/v1/jobs?limit=1')).json.total;
  for (const [name, body, headers] of cases) {
    let r;
    try {
      r = await request(sb, 'POST', '/v1/imagine', { headers: { ...sb.auth, ...headers }, body });
    } catch (error) {
      // A server may close the connection on a body far beyond its limit before reading it.
      assert.match(name, /oversized/, `${name}: ${error}`);
      continue;
    }
    assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.notEqual(r.status, 401, name);
    if (name === 'oversized body (3 MB)') {
      // Beyond the HTTP layer's 1 MiB body limit the shared server (src/net) answers 413 itself,
      // before the sandbox sees the request, with its own JSON body.
      assert.equal(r.status, 413, name);
      assert.match(r.headers['content-type'] ?? '', /^application\/json/, name);
      continue;
    }
    assert.equal(errorShapeProblem(r), null, `${name}: error body`);
    if (/oversized/.test(name)) assert.equal(r.status, 413, `${name}: RFC 9110 §15.5.14`);
  }
  const after_ = (await get(sb, '/v1/jobs?limit=1')).json.total;
  assert.equal(after_, before_, 'no invalid request created a job');
});

test('a job runs pending -> in_progress -> completed with every invariant in its history', async () => {
  const created = await imagine(sb, { prompt: 'terraced tea fields', aspect_ratio: '3:2' });
  assert.equal(created.status, 200, created.text);
  const history = [created.json, ...await pollJob(sb, created.json.id, terminal)];
  checkHistory(history);
  const statuses = [...new Set(history.map((j) => j.status))];
  assert.deepEqual(statuses, ['pending', 'in_progress', 'completed'], 'saw each state in order');
  assert.ok(new Set(history.map((j) => j.progress)).size > 3, 'progress rises in steps');
  const done = history.at(-1);
  assert.equal(done.result.images.length, 5);
  // Stays completed.
  assert.deepEqual((await get(sb, `/v1/jobs/${done.id}`)).json, done);
  const cancel = await post(sb, `/v1/jobs/${done.id}/cancel`);
  assert.equal(cancel.status, 400, 'a completed job cannot be cancelled');
});

test('a banned prompt fails from pending with a moderation error and progress 0', async () => {
  const created = await imagine(sb, { prompt: 'a banned scene' });
  assert.equal(created.status, 200, created.text);
  const history = [created.json, ...await pollJob(sb, created.json.id, terminal)];
  checkHistory(history);
  const job = history.at(-1);
  assert.equal(job.status, 'failed');
  assert.equal(job.error.code, 'prompt_moderated');
  assert.equal(job.progress, 0, 'moderation runs before any work');
  assert.ok(!history.some((j) => j.status === 'in_progress'), 'never ran');
  const cancel = await post(sb, `/v1/jobs/${job.id}/cancel`);
  assert.equal(cancel.status, 400, 'a failed job cannot be cancelled');
});

test('a job that fails while running keeps its progress and gets error {code, message}', async () => {
  const created = await imagine(sb, { prompt: 'a glitch in the lighthouse' });
  const history = [created.json, ...await pollJob(sb, created.json.id, terminal)];
  checkHistory(history);
  const job = history.at(-1);
  assert.equal(job.status, 'failed');
  assert.ok(job.progress >= 1 && job.progress < 100, `progress frozen at ${job.progress}`);
  assert.ok(history.some((j) => j.status === 'in_progress'));
});

test('cancel while running: progress frozen, then the job never moves again', async () => {
  const created = await imagine(sb, { prompt: 'alpine lake', process_mode: 'relax' });
  const running = await pollJob(sb, created.json.id, (j) => j.status === 'in_progress');
  const cancel = await post(sb, `/v1/jobs/${created.json.id}/cancel`);
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal(cancel.json.status, 'cancelled');
  assert.ok(cancel.json.progress >= running.at(-1).progress);
  // Watch it across several scheduler ticks (one per 100 ms): it must not change.
  const watched = [];
  for (const stopAt = Date.now() + 600; Date.now() < stopAt;) {
    watched.push((await get(sb, `/v1/jobs/${created.json.id}`)).json);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const job of watched) assert.deepEqual(job, cancel.json, 'a cancelled job stays put');
  checkHistory([created.json, ...running, cancel.json, ...watched]);
});

test('cancel racing the finish: 200 and cancelled, or 400 and completed, never both', async () => {
  const jobs = [];
  for (let i = 0; i < 4; ++i) jobs.push((await imagine(sb, { prompt: `dunes ${i}`, process_mode: 'turbo' })).json);
  const outcomes = await Promise.all(jobs.map(async (job, i) => {
    // Aim at different moments near the end of the run.
    await pollJob(sb, job.id, (j) => j.progress >= 80 + 5 * i || TERMINAL.has(j.status), { intervalMs: 10 });
    const r = await post(sb, `/v1/jobs/${job.id}/cancel`);
    const final = (await pollJob(sb, job.id, terminal)).at(-1);
    if (r.status === 200) {
      assert.equal(r.json.status, 'cancelled');
      assert.deepEqual(final, r.json, 'the cancel won and stays');
      assert.ok(final.progress < 100);
    } else {
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.code, 'job_not_cancellable');
      assert.equal(final.status, 'completed', 'the finish won');
    }
    assert.deepEqual((await get(sb, `/v1/jobs/${job.id}`)).json, final);
    return r.status;
  }));
  assert.ok(outcomes.every((s) => s === 200 || s === 400), outcomes.join());
});

test('result images download as valid PNGs sized as the job says, by aspect ratio', async () => {
  const ratios = ['1:1', '16:9', '2:3'];
  const jobs = [];
  for (const aspect_ratio of ratios) {
    const r = await imagine(sb, { prompt: `koi pond ${aspect_ratio}`, aspect_ratio, seed: 7 });
    jobs.push(r.json);
  }
  for (const [i, created] of jobs.entries()) {
    const done = (await pollJob(sb, created.id, terminal)).at(-1);
    assert.equal(done.status, 'completed');
    const [w, h] = ratios[i].split(':').map(Number);
    for (const image of done.result.images) {
      assert.equal(image.content_type, 'image/png');
      const url = new URL(image.url);
      assert.equal(`${url.protocol}//${url.host}`, sb.url, 'served by the sandbox itself');
      const r = await request(sb, 'GET', url.pathname + url.search);
      assert.equal(r.status, 200, `${image.url}: ${r.status}`);
      assert.equal(r.headers['content-type'], 'image/png');
      const png = parsePng(r.raw);
      assert.equal(png.width, image.width, `${image.url}: width`);
      assert.equal(png.height, image.height, `${image.url}: height`);
      assert.ok(Math.abs(png.width / png.height - w / h) / (w / h) < 0.01,
                `${image.url}: ${png.width}x${png.height} for ${ratios[i]}`);
    }
    const [grid, cell] = done.result.images;
    assert.equal(grid.width, 2 * cell.width, 'the grid is two cells wide');
    assert.equal(grid.height, 2 * cell.height, 'and two cells high');
  }
});

test('images are rendered deterministically from prompt and seed', async () => {
  const make = async (prompt, seed) => {
    const r = await imagine(sb, { prompt, seed });
    const done = (await pollJob(sb, r.json.id, terminal)).at(-1);
    const url = new URL(done.result.images[0].url);
    return (await request(sb, 'GET', url.pathname)).raw;
  };
  const [a, b, c] = await Promise.all([
    make('northern lights', 11), make('northern lights', 11), make('northern lights', 12)]);
  assert.ok(a.equals(b), 'same prompt and seed, same PNG');
  assert.ok(!a.equals(c), 'another seed, another PNG');
});

test('images of unknown or unfinished jobs answer 404', async () => {
  const pending = await imagine(sb, { prompt: 'later', process_mode: 'relax' });
  for (const target of [`/images/${pending.json.id}/grid.png`, '/images/nope/grid.png',
                        `/images/${pending.json.id}/../../etc/passwd`]) {
    const r = await request(sb, 'GET', target, { headers: sb.auth });
    assert.equal(r.status, 404, `${target}: ${r.status}`);
  }
});
