import { join } from 'node:path';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from './cli';

/** A CLI bound to a data folder whose station is running: each command goes through the live station and returns its JSON value. */
export function liveCli(data: string) {
  return <T>(args: string[]): T => {
    const run = runCli(['--data', data, '--json', ...args]);
    const result = run.json<{ ok: boolean; value: T; error?: unknown }>();
    if (!result.ok) throw new Error(`${args.join(' ')}: ${JSON.stringify(result.error)} ${run.stderr}`);
    return result.value;
  };
}

/** A virtual device on a pseudo-terminal, its link watched by the station; the caller stops the sim. */
export async function startWatchedSim(data: string, name: string, args: string[] = []): Promise<{ link: string; sim: CliProcess }> {
  const link = join(tempDir(), name);
  const sim = startCli(['--data', tempDir(), 'sim', '--pty', '--link', link, '--serial', name.toUpperCase(), ...args]);
  await sim.waitFor(/ on \/\S+/);
  liveCli(data)(['ports', '--watch', link]);
  return { link, sim };
}

/** A station on fresh data for the UI tests: its URL (with token), its listener ports, and a CLI through it. */
export async function startUiStation(): Promise<{ data: string; cli: ReturnType<typeof liveCli>; station: CliProcess; url: string; ports: Record<string, number | string> }> {
  const data = initDataDir();
  const portsFile = join(tempDir(), 'ports.json');
  const station = startCli(['--data', data, 'station', '--port', '0', '--ports-file', portsFile]);
  const url = (await station.waitFor(/open (http:\/\/\S+)/))[1]!;
  return { data, cli: liveCli(data), station, url, ports: await readPortsFile(portsFile) };
}
