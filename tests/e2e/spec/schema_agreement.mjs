// Agreement test (issue #2): for every capability file of the corpus, `capstan validate --strict`
// accepts it exactly when the official Naftiko JSON schema of its version does, apart from the
// divergences documented below. The schemas are JSON Schema 2020-12: validated with ajv's 2020
// build, never a draft-07 validator.
//
// usage: node schema_agreement.mjs CAPSTAN YAML_TO_JSON SOURCE_DIR SHARED_DIR
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [capstan, yamlToJson, sourceDir, sharedDir] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;

// Files the schema accepts but capstan rejects under --strict: checks that need more than one
// node (references, uniqueness, bindings), which a JSON schema cannot express.
const capstanOnlyErrors = {
  'duplicate-key.yaml': 'duplicate keys: the YAML-to-JSON step keeps one, capstan reports both',
  'duplicate-namespace.yaml': 'namespace uniqueness is a Spectral rule, not a schema rule',
  'unknown-call.yaml': '`call` must name a consumed operation',
  'port-conflict.yaml': 'two adapters on one port',
  'base-uri-trailing-slash.yaml': 'the schema pattern allows a trailing slash; the engine rejects it',
  'unbound-placeholder.yaml': 'exposed path placeholder bound to nothing',
  'unfed-placeholder.yaml': 'consumed path placeholder fed by nothing',
  'unknown-with-parameter.yaml': '`with` names a parameter the operation does not have',
  'import-unknown-namespace.yaml': 'the imported file lacks the namespace',
  'duplicate-names.yaml': 'duplicate operation names, routes and tool names',
  'unknown-bind-variable.yaml': 'a template names a variable its bind does not declare',
  'base-uri-with-query.yaml': 'the schema pattern allows a query in baseUri; every path would follow it',
  'unclosed-template.yaml': 'a `{{` without `}}` would be sent as literal text',
  'exposed-path-dot-segment.yaml': 'clients remove dot segments before sending, so the route never matches',
};
// Files capstan accepts under --strict although the schema rejects them.
const schemaOnlyErrors = {
  'unsupported.yaml':
    'constructs capstan does not run yet (skill, steps, prompts, aggregates) are reported as ' +
    'unsupported and not checked field by field',
};

const schemas = {};
function validatorFor(version) {
  const known = ['1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-alpha3'];
  const chosen = known.includes(version) ? version : '1.0.0-alpha2';
  if (!schemas[chosen]) {
    const file = path.join(sharedDir, 'reference/naftiko/schema', `naftiko-schema-${chosen}.json`);
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    schemas[chosen] = ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return schemas[chosen];
}

function corpus() {
  const files = [path.join(sourceDir, 'capabilities/midjourney/image-generation-jobs.yaml')];
  const tutorial = path.join(sharedDir, 'reference/naftiko/tutorial');
  for (const dir of [tutorial, path.join(tutorial, 'shared'), path.join(sourceDir, 'tests/unit/spec/data'),
                     path.join(sourceDir, 'tests/unit/spec/data/shared')]) {
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(name) || name === 'secrets.yaml') continue;
      files.push(path.join(dir, name));
    }
  }
  return files;
}

function schemaVerdict(file) {
  const converted = spawnSync(yamlToJson, [file], { encoding: 'utf8' });
  if (converted.status !== 0) return { valid: false, why: 'not YAML' };
  const document = JSON.parse(converted.stdout);
  const validate = validatorFor(document && document.naftiko);
  const valid = validate(document);
  const first = valid ? '' : `${validate.errors[0].instancePath} ${validate.errors[0].message}`;
  return { valid, why: first };
}

function capstanVerdict(file) {
  const run = spawnSync(capstan, ['validate', '--strict', '-q', file], { encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`capstan exited ${run.status}: ${run.stderr}`);
  return { valid: run.status === 0, why: run.stdout.split('\n')[0] };
}

let failures = 0;
let checked = 0;
for (const file of corpus()) {
  const name = path.basename(file);
  const schema = schemaVerdict(file);
  const ours = capstanVerdict(file);
  checked++;
  let expectedOurs = schema.valid;
  if (schema.valid && capstanOnlyErrors[name]) expectedOurs = false;
  if (!schema.valid && schemaOnlyErrors[name]) expectedOurs = true;
  if (ours.valid === expectedOurs) {
    console.log(`ok: ${name}: ${ours.valid ? 'valid' : 'invalid'}`);
    continue;
  }
  failures++;
  console.log(`FAIL: ${name}: schema says ${schema.valid ? 'valid' : 'invalid'} (${schema.why}), ` +
              `capstan --strict says ${ours.valid ? 'valid' : 'invalid'} (${ours.why})`);
}
console.log(`${checked} files, ${failures} disagreement(s)`);
process.exit(failures === 0 ? 0 : 1);
