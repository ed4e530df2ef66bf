#!/usr/bin/env node
// Re-runs the draw of a random spot check (双随机) independently of the Sunshine server, with
// node:crypto only, so anyone can check that the published sample follows from the revealed
// seed and the published population (docs/api.md "Random spot checks").
//
//   node scripts/verify-draw.mjs plan.json [population.json]
//
// plan.json is the answer of GET /api/v1/spot-plans/{id} after the draw (seed, seed_hash,
// population_hash, sample_size, inspectors_per_target, inspectors, targets), or a test vector
// (internal/oversight/testdata/draw_vectors.json: {vectors:[{seed, population, sample_size,
// inspector_pool, inspectors_per_target, …}]}). population.json is the answer of
// GET /api/v1/spot-plans/{id}/population ({ids:[…]}) or a plain JSON array of ids; it may be
// left out when plan.json carries "population".
//
// Prints one JSON object per plan (a JSON array for a vector file): the recomputed sample and
// inspectors, whether the seed and population match their published hashes and, when the
// input carries the drawn targets, whether they match. Exits 1 when anything does not match.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const TWO64 = 1n << 64n;

function be32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

// draw: partial Fisher-Yates over the ascending ids, SHA-256 counter mode with rejection.
export function draw(seed, population, k, domain) {
  const p = [...population].map(Number).sort((a, b) => a - b);
  const n = p.length;
  k = Math.max(0, Math.min(k, n));
  for (let i = 0; i < k; i++) {
    const m = BigInt(n - i);
    const limit = TWO64 - (TWO64 % m);
    let r;
    for (let ctr = 0; ; ctr++) {
      const h = createHash('sha256').update(Buffer.concat([seed, domain, be32(i), be32(ctr)])).digest();
      r = h.readBigUInt64BE(0);
      if (r < limit) break;
    }
    const j = i + Number(r % m);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p.slice(0, k);
}

const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

function verify(plan, ids) {
  const seed = Buffer.from(plan.seed ?? '', 'hex');
  if (seed.length === 0) throw new Error('the plan has no seed: it is revealed by the draw');
  const sorted = [...ids].map(Number).sort((a, b) => a - b);
  const pool = (plan.inspector_pool ?? (plan.inspectors ?? []).map((x) => x.user_id)).map(Number);
  const k = plan.sample_size;
  const per = plan.inspectors_per_target ?? 0;
  const sample = draw(seed, sorted, k, Buffer.from('target'));
  const inspectors = sample.map((_, t) =>
    per > 0 ? draw(seed, pool, per, Buffer.concat([Buffer.from('inspector'), be32(t)])) : []);
  const out = {
    seed_hash: sha256hex(seed),
    population_hash: sha256hex(Buffer.from(JSON.stringify(sorted))),
    sample,
    inspectors,
  };
  let ok = true;
  if (plan.seed_hash !== undefined) {
    out.seed_matches_hash = out.seed_hash === plan.seed_hash;
    ok &&= out.seed_matches_hash;
  }
  if (plan.population_hash !== undefined) {
    out.population_matches_hash = out.population_hash === plan.population_hash;
    ok &&= out.population_matches_hash;
  }
  if (Array.isArray(plan.targets) && plan.targets.length > 0) {
    const got = [...plan.targets].sort((a, b) => a.pos - b.pos);
    out.sample_matches = got.length === sample.length && got.every((t, i) => Number(t.target_id) === sample[i]);
    out.inspectors_match = out.sample_matches && got.every((t, i) =>
      JSON.stringify((t.inspectors ?? []).map((x) => Number(x.user_id))) === JSON.stringify(inspectors[i]));
    ok &&= out.sample_matches && out.inspectors_match;
  }
  if (Array.isArray(plan.sample)) {
    out.sample_matches = JSON.stringify(plan.sample) === JSON.stringify(sample);
    ok &&= out.sample_matches;
  }
  if (Array.isArray(plan.inspectors_drawn)) {
    out.inspectors_match = JSON.stringify(plan.inspectors_drawn) === JSON.stringify(inspectors);
    ok &&= out.inspectors_match;
  }
  return [out, ok];
}

function main(argv) {
  if (argv.length < 1 || argv.length > 2) {
    console.error('usage: node scripts/verify-draw.mjs plan.json [population.json]');
    return 2;
  }
  const plan = JSON.parse(readFileSync(argv[0], 'utf8'));
  let popArg;
  if (argv[1]) {
    const pop = JSON.parse(readFileSync(argv[1], 'utf8'));
    popArg = Array.isArray(pop) ? pop : pop.ids;
  }
  if (Array.isArray(plan.vectors)) {
    const results = [];
    let ok = true;
    for (const v of plan.vectors) {
      const [out, good] = verify(v, v.population);
      results.push({ name: v.name, ...out });
      ok &&= good;
    }
    console.log(JSON.stringify(results));
    return ok ? 0 : 1;
  }
  const ids = popArg ?? plan.population;
  if (!Array.isArray(ids)) {
    console.error('no population: give the population file (GET /api/v1/spot-plans/{id}/population)');
    return 2;
  }
  const [out, ok] = verify(plan, ids);
  console.log(JSON.stringify(out));
  return ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
