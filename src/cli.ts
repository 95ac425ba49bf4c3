#!/usr/bin/env node
/** The `chia-peer-gateway` command (package.json `bin`, `npm start`, the image's CMD): runs src/server.ts. */
import { main } from './server.js';

process.exitCode = await main(process.argv.slice(2), process.env);
