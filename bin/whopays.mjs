#!/usr/bin/env node
// The package's `bin`: runs the bundled CLI (built by `npm ci` / `npm run build`).
import '../dist/cli.mjs';
