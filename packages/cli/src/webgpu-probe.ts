import { spawn } from 'node:child_process';

/** What a WebGPU probe learned: the adapter, or why there is none usable. */
export type WebGpuProbe =
  | { readonly ok: true; readonly adapter: { description?: string; device?: string } }
  | { readonly ok: false; readonly reason: string };

/**
 * Creates (and destroys) a WebGPU device in a child process, so that deciding against
 * WebGPU never loads Dawn into this one: a Dawn instance, even destroyed, crashes the
 * process later when worker threads (io's shard decoders) start or stop.
 */
export function probeWebGpu(pkg: string, timeoutMs = 60_000): Promise<WebGpuProbe> {
  let url: string;
  try {
    url = import.meta.resolve(pkg);
  } catch {
    return Promise.resolve({ ok: false, reason: `package ${pkg} is not installed` });
  }
  const script = `
    const out = (v) => process.stdout.write(JSON.stringify(v), () => process.exit(0));
    try {
      const m = await import(${JSON.stringify(url)});
      const b = await m.createWebGpuBackend();
      const adapter = { description: b.adapter.description, device: b.adapter.device };
      await b.destroy();
      out({ ok: true, adapter });
    } catch (e) {
      out({ ok: false, reason: String(e && (e.reason ?? e.message) || e).split('\\n')[0] });
    }`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: timeoutMs,
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', (err) => resolve({ ok: false, reason: `probe failed: ${err.message}` }));
    child.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(stdout) as WebGpuProbe);
      } catch {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        resolve({ ok: false, reason: `the WebGPU probe process ended with ${how}` });
      }
    });
  });
}
