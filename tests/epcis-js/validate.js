// Validate an EPCIS 2.0 JSON-LD document read on stdin with the GS1 community SDK
// (epcis2.js): its JSON Schema, each event's fields and the declared extensions.
// Exit 0 when valid; 1 with the errors on stderr otherwise; 2 when stdin is not JSON.
'use strict';

const { validateEpcisDocument, setup } = require('epcis2.js');

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    process.stderr.write(`not JSON: ${error.message}\n`);
    process.exit(2);
  }
  setup({ checkExtensions: true });
  const result = validateEpcisDocument(document, false);
  if (!result.success) {
    process.stderr.write(`${[].concat(result.errors).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`valid: ${document.epcisBody.eventList.length} events\n`);
});
