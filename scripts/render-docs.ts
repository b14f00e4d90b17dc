// Regenerates the reference pages that are derived from code (tests keep them in sync).
import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/config/load-config.ts';
import { renderErrorDocs } from '../src/errors.ts';

writeFileSync('docs/errors.md', renderErrorDocs());
writeFileSync('docs/configuration.md', renderConfigDocs());
console.log('wrote docs/errors.md and docs/configuration.md');
