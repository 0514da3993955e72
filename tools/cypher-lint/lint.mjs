// Lint Cypher with Neo4j's own parser (@neo4j-cypher/language-support).
//
// One process per run. Reads JSON lines on stdin:
//   {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...],
//               "parameters": ["rows", ...]}}      sets the schema for the following queries
//   {"name": "posts", "query": "UNWIND $rows AS row ..."}
// and writes one JSON line per query:
//   {"name": "posts", "diagnostics": [{"severity": 1, "message": "...", "line": 0, "character": 3}]}
// Severity 1 is an error, 2 a warning (LSP numbering).
import { createInterface } from 'node:readline';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

function buildSchema(spec) {
  const parameters = {};
  for (const name of spec.parameters ?? []) parameters[name] = null;
  return {
    procedures: testData.mockSchema.procedures,
    functions: testData.mockSchema.functions,
    labels: spec.labels ?? [],
    relationshipTypes: spec.relationshipTypes ?? [],
    propertyKeys: spec.propertyKeys ?? [],
    parameters,
  };
}

let schema = buildSchema({});
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (err) {
    process.stdout.write(JSON.stringify({ name: null, error: `bad JSON line: ${err}` }) + '\n');
    continue;
  }
  if (msg.schema) {
    schema = buildSchema(msg.schema);
    continue;
  }
  let diagnostics;
  try {
    diagnostics = lintCypherQuery(String(msg.query ?? ''), schema).diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range?.start?.line ?? null,
      character: d.range?.start?.character ?? null,
    }));
  } catch (err) {
    diagnostics = [{ severity: 1, message: `linter crashed: ${err}`, line: null, character: null }];
  }
  process.stdout.write(JSON.stringify({ name: msg.name, diagnostics }) + '\n');
}
