/**
 * Imported first by main.tsx. zod 4 compiles object parsers with `new Function` when it may, and
 * probes whether it may by calling it once: under our CSP (no 'unsafe-eval') that probe is a CSP
 * violation in every page load. jitless: parse without generated code, and never probe.
 */
import { z } from 'zod';

z.config({ jitless: true });
