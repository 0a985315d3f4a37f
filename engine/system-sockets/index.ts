/** The "System sockets" engine: the OS's own socket table, parsed, diffed and kept fresh. */
export { SystemSocketsCollector, SystemSocketsError, DEFAULT_TIMEOUT_MS } from './collector';
export type { SystemSocketsCollectorOptions } from './collector';
export { diffSnapshots } from './diff';
export { lookupServiceByName, serviceNameForPort, parseServices, ServicesDatabase } from './services';
export type { ServiceProto } from './services';
export type { RunCommand, CommandResult } from './run-command';
