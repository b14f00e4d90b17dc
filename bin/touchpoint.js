#!/usr/bin/env node
// Entry for `npx touchpoint`. npm puts the project's pinned Node 24 (the `node` dependency)
// first on PATH, so the TypeScript sources run directly through type stripping.
import '../src/cli/main.ts';
