// Jobs live in SQLite (WAL): a sandbox killed without warning and restarted on the same --db
// serves every job it had, and a job interrupted while running resumes from its progress.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TERMINAL, assertJobSchema, get, imagine, listAll, parsePng, pollJob, post, request, startSandbox,
} from './lib.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-sandbox-restart-'));
const db = path.join(dir, 'jobs.db');
const running = [];
after(async () => {
  for (const sb of running) await sb.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(args) {
  const sb = await startSandbox(['--db', db, ...args]);
  running.push(sb);
  return sb;
}

// Without the volatile parts: image URLs name the port, which changes on every start.
const stable = (job) => JSON.parse(JSON.stringify(job).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'BASE'));

test('a killed sandbox restarts with every job, and an interrupted job resumes', async () => {
  // Run 1 at speed 1: a job runs for about 6 s, so it is surely interrupted mid-way.
  const first = await start(['--speed', '1']);
  const interrupted = (await imagine(first, { prompt: 'an old observatory at night' })).json;
  const cancelled = (await imagine(first, { prompt: 'paper lanterns', process_mode: 'relax' })).json;
  const moderated = (await imagine(first, { prompt: 'a forbidden thing', process_mode: 'turbo' })).json;
  assert.equal((await post(first, `/v1/jobs/${cancelled.id}/cancel`)).status, 200);
  const beforeKill = await pollJob(first, interrupted.id, (j) => j.status === 'in_progress' && j.progress >= 5);
  await pollJob(first, moderated.id, (j) => TERMINAL.has(j.status));
  const snapshot = await listAll(first);
  await first.stop('SIGKILL');
  assert.ok(fs.existsSync(db), 'the database file is where --db said');

  // Run 2, frozen: exactly the same jobs; the interrupted one has not lost progress.
  const second = await start(['--speed', '0']);
  const restored = await listAll(second);
  assert.equal(restored.total, snapshot.total);
  assert.deepEqual(restored.jobs.map((j) => j.id), snapshot.jobs.map((j) => j.id), 'same jobs, same order');
  for (const [i, job] of restored.jobs.entries()) {
    assertJobSchema(job);
    if (job.id === interrupted.id) continue;
    assert.deepEqual(stable(job), stable(snapshot.jobs[i]), `job ${job.id} kept as it was`);
  }
  const resumedAt = (await get(second, `/v1/jobs/${interrupted.id}`)).json;
  assert.equal(resumedAt.status, 'in_progress');
  assert.ok(resumedAt.progress >= beforeKill.at(-1).progress, 'progress never decreases across a restart');
  assert.equal(resumedAt.completed_at, undefined);
  // Frozen means frozen: a second look sees the same job.
  assert.deepEqual((await get(second, `/v1/jobs/${interrupted.id}`)).json, resumedAt);
  await second.stop('SIGTERM');

  // Run 3, fast: the interrupted job continues from where it was and completes.
  const third = await start(['--speed', '20']);
  const history = await pollJob(third, interrupted.id, (j) => TERMINAL.has(j.status));
  const all = [...beforeKill, resumedAt, ...history];
  for (let i = 1; i < all.length; ++i) {
    assert.ok(all[i].progress >= all[i - 1].progress, `progress ${all[i - 1].progress} -> ${all[i].progress}`);
  }
  const done = history.at(-1);
  assertJobSchema(done);
  assert.equal(done.status, 'completed');
  assert.equal(done.progress, 100);
  assert.ok(done.completed_at);
  const grid = new URL(done.result.images[0].url);
  assert.equal(grid.port, String(third.port), 'image URLs point at the running sandbox');
  const png = await request(third, 'GET', grid.pathname);
  assert.equal(png.status, 200);
  assert.equal(parsePng(png.raw).width, done.result.images[0].width);
  assert.deepEqual(stable((await get(third, `/v1/jobs/${cancelled.id}`)).json),
                   stable(snapshot.jobs.find((j) => j.id === cancelled.id)), 'the cancelled job is untouched');
});

test('jobs created after a restart join the same store', async () => {
  const sb = await start(['--speed', '0']);
  const before_ = (await get(sb, '/v1/jobs?limit=1')).json.total;
  const created = (await imagine(sb, { prompt: 'one more' })).json;
  await sb.stop('SIGKILL');
  const again = await start(['--speed', '0']);
  const listing = (await get(again, '/v1/jobs?limit=1')).json;
  assert.equal(listing.total, before_ + 1);
  assert.equal(listing.data[0].id, created.id, 'newest first');
});
