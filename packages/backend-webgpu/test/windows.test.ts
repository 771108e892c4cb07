// The windowed-binding rewrite on small buffers cut into 256-byte windows, so every path
// (reads, writes, compound writes, vec4 arrays, an index that is itself a windowed read)
// crosses several window boundaries without allocating 128 MiB. The conformance suite's
// `large` group proves the same machinery at the real binding limit.
import { ShapeError } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend } from '../src/index.js';
import type { ShaderSpec } from '../src/runtime.js';
import { splitBindings, windowBytes, windowCounts, windowedSpec } from '../src/windows.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

const SPEC: ShaderSpec = {
  kernel: 'windowsTest',
  bindings: ['rw', 'read', 'read'],
  params: true,
  code: /* wgsl */ `
struct P { n: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  let j = u32(idx[idx[i]]);
  out[i] = x[j / 4u][j % 4u] * 2.0;
  out[i] += 1.0;
  if (i < p.n && out[i] == 0.0) { out[i] = -1.0; }
}`,
};

describe('windowedSpec (text)', () => {
  it('renumbers bindings, declares one array per window and routes accesses', () => {
    const spec = windowedSpec(SPEC, [3, 1, 2], 256);
    expect(spec.bindings).toEqual(['rw', 'rw', 'rw', 'read', 'read', 'read']);
    expect(spec.code).toContain('@binding(2) var<storage, read_write> out_w2: array<f32>;');
    expect(spec.code).toContain('@binding(3) var<storage, read> x: array<vec4<f32>>;');
    expect(spec.code).toContain('@binding(5) var<storage, read> idx_w1: array<i32>;');
    expect(spec.code).toContain('@binding(6) var<uniform> p: P;');
    expect(spec.code).toContain('out_st(u32(i), out_ld(u32(i)) + (1.0))');
    expect(spec.code).toContain('idx_ld(u32(idx_ld(u32(i))))');
    expect(spec.code).not.toMatch(/\bout\[|\bidx\[/);
  });

  it('keeps directives first and the spec path (enable subgroups; before the window arrays)', () => {
    const spec = windowedSpec(
      { ...SPEC, path: 'lanes', code: `enable subgroups;\n${SPEC.code}` },
      [3, 1, 2],
      256,
    );
    expect(spec.code.trimStart().startsWith('enable subgroups;')).toBe(true);
    expect(spec.code.match(/enable subgroups;/g)).toHaveLength(1);
    expect(spec.path).toBe('lanes');
  });

  it('refuses a windowed atomic array', () => {
    const atomic: ShaderSpec = {
      kernel: 'atomicTest',
      bindings: ['rw'],
      code: `@group(0) @binding(0) var<storage, read_write> c: array<atomic<u32>>;
@compute @workgroup_size(1) fn main() { atomicAdd(&c[0], 1u); }`,
    };
    expect(() => windowedSpec(atomic, [2], 256)).toThrow(ShapeError);
  });

  it('cuts bindings into aligned windows, the last one short', () => {
    const buffer = {} as GPUBuffer;
    const counts = windowCounts([{ buffer, size: 800 }], 512, 256);
    expect(counts).toEqual([4]);
    expect(splitBindings([{ buffer, size: 800 }], counts, 256).map((w) => w.size)).toEqual([
      256, 256, 256, 32,
    ]);
    expect(windowBytes(128 * 1024 * 1024 + 100, 64)).toBe(128 * 1024 * 1024);
  });
});

describe.skipIf(probe.skip)(`windowed bindings on a device (${probe.reason})`, () => {
  let be: WebGpuBackend;
  beforeAll(async () => {
    be = await createWebGpuBackend();
  });
  afterAll(async () => {
    await be?.destroy();
  });

  it('reads and writes across 256-byte windows exactly like one flat array', async () => {
    const device = be.device;
    const n = 200;
    const window = windowBytes(256, device.limits.minStorageBufferOffsetAlignment);
    // idx[idx[i]] = a permutation, so windowed reads feed a windowed index.
    const perm = Int32Array.from({ length: n }, (_, i) => (i * 37 + 11) % n);
    const x = Float32Array.from({ length: n }, (_, i) => i - 60.5);
    const make = (data: ArrayBufferView | null, size: number, usage: number) => {
      const b = device.createBuffer({ size, usage, mappedAtCreation: data !== null });
      if (data) {
        new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer));
        b.unmap();
      }
      return b;
    };
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const out = make(null, n * 4, storage);
    const xb = make(x, n * 4, storage);
    const ib = make(perm, n * 4, storage);
    const pb = make(new Uint32Array([n, 0, 0, 0]), 16, GPUBufferUsage.UNIFORM);
    const bindings = [out, xb, ib].map((buffer) => ({ buffer, size: n * 4 }));
    const counts = windowCounts(bindings, window, window);
    expect(counts).toEqual([4, 4, 4]);
    const spec = windowedSpec(SPEC, counts, window);
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: spec.code }), entryPoint: 'main' },
    });
    const windows = splitBindings(bindings, counts, window);
    const entries: GPUBindGroupEntry[] = windows.map((w, binding) => ({
      binding,
      resource: { buffer: w.buffer, offset: w.offset, size: w.size },
    }));
    entries.push({ binding: windows.length, resource: { buffer: pb } });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const read = make(null, n * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    enc.copyBufferToBuffer(out, 0, read, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const b of [out, xb, ib, pb, read]) b.destroy();
    const want = Float32Array.from({ length: n }, (_, i) => {
      const v = x[perm[perm[i]]] * 2 + 1;
      return v === 0 ? -1 : v;
    });
    expect([...got]).toEqual([...want]);
  });
});
