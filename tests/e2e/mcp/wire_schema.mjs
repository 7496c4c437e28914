// Validates the messages an MCP server emits against the official JSON schema of the revision
// they were exchanged under (../shared/reference/mcp-schema/<revision>/schema.json). Each file
// names its dialect in `$schema` (draft-07 for 2025-03-26 and 2025-06-18, 2020-12 later), and
// the validator is picked from that, never assumed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const Ajv2020 = require('ajv/dist/2020').default;

// The result type of each request method (schema.ts: ServerResult members).
const RESULT_OF = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'logging/setLevel': 'EmptyResult',
  'server/discover': 'DiscoverResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
};

function addFormats(ajv) {
  // Formats the MCP schemas use; checked loosely (the schema's own job is the structure).
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:/i);
  ajv.addFormat('uri-template', true);
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
}

export class WireSchemas {
  constructor(schemaRoot) {
    this.root = schemaRoot;
    this.revisions = new Map();
  }

  revision(name) {
    if (this.revisions.has(name)) return this.revisions.get(name);
    const schema = JSON.parse(readFileSync(`${this.root}/${name}/schema.json`, 'utf8'));
    const dialect = schema.$schema ?? '';
    let ajv;
    let pointer;
    if (dialect.includes('2020-12')) {
      ajv = new Ajv2020({ strict: false, allErrors: true });
      pointer = '$defs';
    } else if (dialect.includes('draft-07')) {
      ajv = new Ajv({ strict: false, allErrors: true });
      pointer = 'definitions';
    } else {
      throw new Error(`${name}: unexpected $schema ${dialect}`);
    }
    addFormats(ajv);
    const id = `mcp-${name}`;
    ajv.addSchema({ ...schema, $id: id }, id);
    const definitions = schema[pointer];
    const entry = {
      has: (definition) => definition in definitions,
      validator: (definition) => ajv.getSchema(`${id}#/${pointer}/${definition}`),
      errorsText: (errors) => ajv.errorsText(errors),
    };
    this.revisions.set(name, entry);
    return entry;
  }

  // Checks one message capstan sent. `method` is the method of the request it answers (for a
  // response). Returns a list of problems (empty when valid).
  check(revisionName, message, method) {
    const revision = this.revision(revisionName);
    const problems = [];
    const run = (definition, value, what) => {
      if (!revision.has(definition)) {
        problems.push(`${what}: ${revisionName} has no ${definition}`);
        return;
      }
      const validate = revision.validator(definition);
      if (!validate(value)) problems.push(`${what} is not a valid ${definition}: ${revision.errorsText(validate.errors)}`);
    };
    run('JSONRPCMessage', message, 'message');
    if ('result' in message) {
      const definition = RESULT_OF[method];
      if (!definition) problems.push(`response to unknown method ${method}`);
      else run(definition, message.result, `result of ${method}`);
    } else if ('error' in message) {
      run(revision.has('JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError', message, 'error response');
    } else if ('id' in message) {
      run('ServerRequest', message, 'server request');
    } else {
      run('ServerNotification', message, 'server notification');
    }
    return problems;
  }
}

// Splits an HTTP response body into the JSON-RPC messages it carries (JSON or SSE).
export function messagesOfBody(contentType, text) {
  if (!text) return [];
  if ((contentType ?? '').startsWith('application/json')) {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  if ((contentType ?? '').startsWith('text/event-stream')) {
    const out = [];
    for (const block of text.split('\n\n')) {
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) out.push(JSON.parse(data));
    }
    return out;
  }
  return [];
}
