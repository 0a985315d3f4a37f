/** The `sockscope` command: one subcommand per job, each on the same engine as the app. */
import { err, EXIT, out, UsageError } from './cli-io';
import type { CliEngine } from './engine-port';
import { USAGE } from './help';

type Command = (engine: CliEngine, argv: string[]) => Promise<number>;

/** Loaded on use: `--help` and a typo answer without loading the engine. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  listen: async () => (await import('./commands/listen')).listen,
  serve: async () => {
    const { listen } = await import('./commands/listen');
    return (e, a) => {
      const rules = a[0];
      if (rules === undefined || rules.startsWith('-')) throw new UsageError('give the rules file: sockscope serve RULES [--port P]');
      return listen(e, a.slice(1), rules);
    };
  },
  connect: async () => (await import('./commands/connect')).connect,
  udp: async () => (await import('./commands/udp')).udp,
  run: async () => (await import('./commands/run')).run,
  generate: async () => (await import('./commands/generate')).generate,
  sockets: async () => (await import('./commands/sockets')).sockets,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE.main as string);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    err(`sockscope: unknown command "${name}"\n\n${USAGE.main as string}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(USAGE[name] as string);
    return EXIT.ok;
  }
  const [command, { openCliEngine }] = await Promise.all([load(), import('./engine-port')]);
  const engine = openCliEngine();
  try {
    return await command(engine, rest);
  } catch (e) {
    await engine.shutdown().catch(() => undefined);
    // parseArgs refusals (unknown option, missing value) are usage errors too.
    const code = (e as { code?: unknown }).code;
    if (e instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      err(`sockscope ${name}: ${(e as Error).message}\n(sockscope ${name} --help shows the options)`);
      return EXIT.usage;
    }
    err(`sockscope ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}
