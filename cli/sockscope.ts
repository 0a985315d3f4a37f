#!/usr/bin/env node
/**
 * Entry of the `sockscope` command (the package's `bin`, built to out/cli/sockscope.cjs; from a
 * checkout `npm run --silent cli -- ARGS` runs this file directly).
 */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    // Exit now: stdin (connect, udp) or a timer left by a peer must not keep a finished command alive.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`sockscope: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
