import { ShapeError } from '@saekit/core';
import { DeviceLostError, WebGpuError } from './errors.js';
import { BufferPool } from './pool.js';
import { GpuTensor } from './tensor.js';
import { splitBindings, windowBytes, windowCounts, windowedSpec } from './windows.js';

export { DeviceLostError, WebGpuError } from './errors.js';

/** How a shader sees each binding: read-only storage, read-write storage, or the params. */
export type BindingKind = 'read' | 'rw';

export interface ShaderSpec {
  /** The kernel this shader belongs to (for timings and error messages). */
  readonly kernel: string;
  readonly code: string;
  /** Storage bindings 0..n-1; the params uniform, when `params` is set, is binding n. */
  readonly bindings: readonly BindingKind[];
  readonly params?: boolean;
  /**
   * Which implementation of the kernel this is, when the kernel has more than one (a per-row
   * scan and a radix select, say): dispatches are counted as `kernel:path` so the conformance
   * suite can prove each implementation is exercised (see `kernelPaths()`).
   */
  readonly path?: string;
}

/** What a kernel binds: a tensor, or a raw buffer (scratch); `byteLength` is in bytes for both. */
export type Binding = GpuTensor | RawBinding;
export interface RawBinding {
  readonly buffer: GPUBuffer;
  readonly byteLength: number;
}

/** Workgroup counts written on the device (x, y, z as u32 at `offset`): skip work by data. */
export interface IndirectArgs {
  readonly buffer: GPUBuffer;
  readonly offset: number;
}

/** Work the runtime did since creation: what a step costs on the host side. */
export interface RuntimeStats {
  readonly dispatches: number;
  readonly bindGroupsCreated: number;
  /** Pipelines compiled, every one by `createComputePipelineAsync` (none synchronously). */
  readonly pipelinesCreated: number;
  readonly submits: number;
  /** Submits that waited for a pipeline still compiling (the first use of a kernel or shape). */
  readonly compileWaits: number;
}

interface CompiledShader {
  readonly id: number;
  readonly kernel: string;
  /** Null until the asynchronous compile is done (or when it failed: see `error`). */
  pipeline: GPUComputePipeline | null;
  error: string | null;
  readonly ready: Promise<void>;
  readonly layout: GPUBindGroupLayout;
}

/** One command of a submit, encoded at once or, while pipelines compile, replayed later. */
type EncodeOp = (e: Encoding) => void;

/** A command encoder and its open compute pass (one pass for all dispatches unless profiling). */
class Encoding {
  #pass: GPUComputePassEncoder | null = null;

  constructor(readonly encoder: GPUCommandEncoder) {}

  pass(): GPUComputePassEncoder {
    this.#pass ??= this.encoder.beginComputePass();
    return this.#pass;
  }

  /** A pass of its own whose start and end are stamped at queries `q` and `q + 1`. */
  timedPass(querySet: GPUQuerySet, q: number): GPUComputePassEncoder {
    this.endPass();
    this.#pass = this.encoder.beginComputePass({
      timestampWrites: { querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 },
    });
    return this.#pass;
  }

  endPass(): void {
    this.#pass?.end();
    this.#pass = null;
  }

  /** The encoder for copies and clears, outside any compute pass. */
  copies(): GPUCommandEncoder {
    this.endPass();
    return this.encoder;
  }
}

const ARENA_BYTES = 64 * 1024;
const MAX_QUERIES = 2048;
// Bind groups kept for reuse; past this many the cache starts over (buffers come and go).
const MAX_BIND_GROUPS = 4096;

/**
 * Encoding machinery shared by the kernels: pipelines compiled once per shader text, one
 * command encoder collecting every dispatch until flush()/read(), kernel parameters packed
 * into a uniform arena that is uploaded once per submit, and pooled storage buffers.
 */
export class GpuRuntime {
  readonly pool: BufferPool;
  readonly maxBinding: number;
  readonly maxBuffer: number;
  readonly maxGroups: number;
  readonly maxWorkgroupStorage: number;
  /** Subgroup sizes when the device has the 'subgroups' feature and the adapter gave them. */
  readonly subgroups: { readonly min: number; readonly max: number } | null;
  /** Bytes per window when a tensor over `maxBinding` is bound in pieces. */
  readonly window: number;
  readonly #maxStorageBindings: number;
  readonly #uniformAlign: number;
  readonly #pipelines = new Map<string, CompiledShader>();
  readonly #scratch = new Map<string, GPUBuffer>();
  readonly #windowedSpecs = new Map<string, ShaderSpec>();
  #encoding: Encoding | null = null;
  // Pipelines are compiled asynchronously (Dawn compiles on its own threads; nothing blocks
  // the caller). A submit that uses one still compiling records its commands from that point
  // (`#deferred`) and is submitted once `#waits` settle; submits after it queue behind it
  // (`#queued`), so the queue sees every command in the order it was issued.
  #deferred: EncodeOp[] | null = null;
  #waits: Promise<void>[] = [];
  #queued: Promise<void> = Promise.resolve();
  #queuedCount = 0;
  #compileWaits = 0;
  #destroyed = false;
  #arenas: { buffer: GPUBuffer; data: Uint8Array }[] = [];
  #arenaIndex = 0;
  #arenaOffset = 0;
  #afterSubmit: (() => void)[] = [];
  #errors: string[] = [];
  #dispatches = 0;
  #bindGroupsCreated = 0;
  #submits = 0;
  // Bind groups by layout and bound ranges; the params uniform is bound with a dynamic offset,
  // so a kernel called again on the same tensors reuses its group whatever its parameters.
  readonly #bindGroups = new Map<string, GPUBindGroup>();
  readonly #bufferIds = new WeakMap<GPUBuffer, number>();
  #nextBufferId = 0;
  #lost: DeviceLostError | null = null;
  // Occurrences of each kernel label in the current submit (unique timestamp labels).
  readonly #labelCounts = new Map<string, number>();
  readonly #paths = new Map<string, number>();
  // Per-kernel GPU time from timestamp queries (only when profiling).
  readonly #profile: boolean;
  #querySet: GPUQuerySet | null = null;
  #queryKernels: string[] = [];
  readonly #kernelNs = new Map<string, number>();
  #pendingProfiles: Promise<void>[] = [];

  constructor(
    readonly device: GPUDevice,
    profile: boolean,
    /** A CPU adapter (llvmpipe, SwiftShader): kernels prefer barrier-free variants. */
    readonly software = false,
    subgroupSizes?: { readonly min: number; readonly max: number },
  ) {
    this.subgroups =
      device.features.has('subgroups') && subgroupSizes && subgroupSizes.min > 0
        ? subgroupSizes
        : null;
    const l = device.limits;
    this.maxBinding = l.maxStorageBufferBindingSize;
    this.maxBuffer = l.maxBufferSize;
    this.maxGroups = l.maxComputeWorkgroupsPerDimension;
    this.maxWorkgroupStorage = l.maxComputeWorkgroupStorageSize;
    this.window = windowBytes(l.maxStorageBufferBindingSize, l.minStorageBufferOffsetAlignment);
    this.#maxStorageBindings = l.maxStorageBuffersPerShaderStage;
    this.#uniformAlign = Math.max(256, l.minUniformBufferOffsetAlignment);
    this.pool = new BufferPool(
      device,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    );
    this.#profile = profile;
    if (profile) {
      this.#querySet = device.createQuerySet({ type: 'timestamp', count: MAX_QUERIES });
    }
    device.addEventListener('uncapturederror', (ev) => {
      this.#errors.push((ev as GPUUncapturedErrorEvent).error.message);
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.#lost = new DeviceLostError(info.reason, info.message);
    });
  }

  /** Counters of the encoding work so far (bench:gpu reports them per step). */
  get stats(): RuntimeStats {
    return {
      dispatches: this.#dispatches,
      bindGroupsCreated: this.#bindGroupsCreated,
      pipelinesCreated: this.#pipelines.size,
      submits: this.#submits,
      compileWaits: this.#compileWaits,
    };
  }

  /** Number of dispatches encoded since creation (a cheap progress counter for tests). */
  get dispatchCount(): number {
    return this.#dispatches;
  }

  /** Dispatches per `kernel` or `kernel:path` (ShaderSpec.path) since the runtime was created. */
  get paths(): ReadonlyMap<string, number> {
    return this.#paths;
  }

  // ---- encoding -------------------------------------------------------------------------

  /** Encodes `op` now, or records it when this submit waits for a compile or a queued submit. */
  #encode(op: EncodeOp): void {
    if (this.#deferred === null && this.#queuedCount > 0) this.#deferred = [];
    if (this.#deferred !== null) this.#deferred.push(op);
    else {
      this.#encoding ??= new Encoding(this.device.createCommandEncoder());
      op(this.#encoding);
    }
  }

  /** Encodes copies and clears (outside any compute pass) in order with the dispatches. */
  copies(op: (encoder: GPUCommandEncoder) => void): void {
    this.#encode((e) => op(e.copies()));
  }

  #compile(spec: ShaderSpec): CompiledShader {
    const key = spec.code;
    const hit = this.#pipelines.get(key);
    if (hit) return hit;
    const entries: GPUBindGroupLayoutEntry[] = spec.bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    if (spec.params) {
      entries.push({
        binding: spec.bindings.length,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'uniform', hasDynamicOffset: true },
      });
    }
    const layout = this.device.createBindGroupLayout({ entries });
    const module = this.device.createShaderModule({ code: spec.code, label: spec.kernel });
    let settle: () => void = () => {};
    const compiled: CompiledShader = {
      id: this.#pipelines.size,
      kernel: spec.kernel,
      pipeline: null,
      error: null,
      layout,
      ready: new Promise<void>((r) => {
        settle = r;
      }),
    };
    this.device
      .createComputePipelineAsync({
        label: spec.kernel,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      })
      .then(
        (pipeline) => {
          compiled.pipeline = pipeline;
        },
        (err: unknown) => {
          compiled.error = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(settle);
    this.#pipelines.set(key, compiled);
    return compiled;
  }

  /** Reserves a uniform slot for `bytes` of parameters; returns its view and location. */
  #params(bytes: number): { data: DataView; buffer: GPUBuffer; offset: number } {
    const size = Math.ceil(bytes / 16) * 16;
    if (this.#arenaOffset + size > ARENA_BYTES) {
      this.#arenaIndex++;
      this.#arenaOffset = 0;
    }
    if (this.#arenaIndex === this.#arenas.length) {
      this.#arenas.push({
        buffer: this.device.createBuffer({
          size: ARENA_BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        }),
        data: new Uint8Array(ARENA_BYTES),
      });
    }
    const arena = this.#arenas[this.#arenaIndex];
    const offset = this.#arenaOffset;
    this.#arenaOffset += Math.ceil(size / this.#uniformAlign) * this.#uniformAlign;
    const data = new DataView(arena.data.buffer, offset, size);
    new Uint8Array(arena.data.buffer, offset, size).fill(0);
    return { data, buffer: arena.buffer, offset };
  }

  /**
   * Encodes one dispatch. `params` are 32-bit words: numbers written as u32 unless listed in
   * `floats` (indices written as f32) or negative integers (written as i32).
   */
  dispatch(
    spec: ShaderSpec,
    bindings: readonly Binding[],
    workgroups: readonly [number, number?, number?] | IndirectArgs,
    params?: ParamWriter,
  ): void {
    const indirect = 'buffer' in workgroups ? workgroups : null;
    const [x, y = 1, z = 1] = indirect ? [1, 1, 1] : (workgroups as readonly number[]);
    if (x === 0 || y === 0 || z === 0) return;
    if (this.#lost) throw this.#lost;
    if (bindings.length !== spec.bindings.length) {
      throw new WebGpuError(
        `webgpu ${spec.kernel}: ${bindings.length} bindings for ${spec.bindings.length}`,
      );
    }
    checkAliasing(spec, bindings);
    bindings.forEach((b, i) => {
      if (spec.bindings[i] === 'rw' && b instanceof GpuTensor) b.touch();
    });
    // A full query set is submitted first, so this dispatch's params land in the next upload.
    if (this.#profile && this.#queryKernels.length * 2 >= MAX_QUERIES) this.flush();
    const sized = bindings.map((b) => ({ buffer: b.buffer, size: Math.max(16, b.byteLength) }));
    const counts = windowCounts(sized, this.maxBinding, this.window);
    const windows = splitBindings(sized, counts, this.window);
    if (windows.length !== sized.length) {
      if (windows.length > this.#maxStorageBindings) {
        throw new ShapeError(
          `webgpu ${spec.kernel}: its tensors need ${windows.length} storage bindings of at most ` +
            `${this.maxBinding} bytes, more than this adapter's ${this.#maxStorageBindings} per shader`,
        );
      }
    }
    const compiled = this.#compile(
      windows.length === sized.length ? spec : this.#windowed(spec, counts),
    );
    let slot: { data: DataView; buffer: GPUBuffer; offset: number } | null = null;
    if (spec.params) {
      slot = this.#params(params?.bytes ?? 16);
      params?.write(slot.data);
    }
    const bindGroup = this.#bindGroup(compiled, windows, slot);
    if (compiled.pipeline === null && compiled.error === null) {
      this.#deferred ??= [];
      this.#waits.push(compiled.ready);
    }
    const querySet = this.#profile ? this.#querySet : null;
    let q = 0;
    if (querySet) {
      q = this.#queryKernels.length * 2;
      this.#queryKernels.push(this.#label(spec));
    }
    const dynamicOffsets = slot ? [slot.offset] : [];
    this.#encode((e) => {
      if (compiled.pipeline === null) {
        // The shader did not compile: skip the dispatch and report it on the next read.
        this.#errors.push(`${compiled.kernel}: ${compiled.error ?? 'pipeline missing'}`);
        return;
      }
      const pass = querySet ? e.timedPass(querySet, q) : e.pass();
      pass.setPipeline(compiled.pipeline);
      pass.setBindGroup(0, bindGroup, dynamicOffsets);
      if (indirect) pass.dispatchWorkgroupsIndirect(indirect.buffer, indirect.offset);
      else pass.dispatchWorkgroups(x, y, z);
      if (querySet) e.endPass();
    });
    this.#dispatches++;
    const key = spec.path === undefined ? spec.kernel : `${spec.kernel}:${spec.path}`;
    this.#paths.set(key, (this.#paths.get(key) ?? 0) + 1);
  }

  /**
   * A bind group for these windows and this params arena, made once and reused: the key is
   * the layout and every bound (buffer, offset, size), and the params offset is dynamic.
   */
  #bindGroup(
    compiled: CompiledShader,
    windows: readonly { buffer: GPUBuffer; offset: number; size: number }[],
    slot: { data: DataView; buffer: GPUBuffer } | null,
  ): GPUBindGroup {
    let key = `${compiled.id}`;
    for (const w of windows) key += `|${this.#bufferId(w.buffer)}@${w.offset}+${w.size}`;
    if (slot) key += `|p${this.#bufferId(slot.buffer)}+${slot.data.byteLength}`;
    const hit = this.#bindGroups.get(key);
    if (hit) return hit;
    const entries: GPUBindGroupEntry[] = windows.map((w, binding) => ({
      binding,
      resource: { buffer: w.buffer, offset: w.offset, size: w.size },
    }));
    if (slot) {
      entries.push({
        binding: windows.length,
        resource: { buffer: slot.buffer, offset: 0, size: slot.data.byteLength },
      });
    }
    const group = this.device.createBindGroup({ layout: compiled.layout, entries });
    this.#bindGroupsCreated++;
    if (this.#bindGroups.size >= MAX_BIND_GROUPS) this.#bindGroups.clear();
    this.#bindGroups.set(key, group);
    return group;
  }

  #bufferId(b: GPUBuffer): number {
    let id = this.#bufferIds.get(b);
    if (id === undefined) {
      id = this.#nextBufferId++;
      this.#bufferIds.set(b, id);
    }
    return id;
  }

  /** A timestamp label unique within the submit: `topk:radix`, then `topk:radix#2`, ... */
  #label(spec: ShaderSpec): string {
    const base = spec.path === undefined ? spec.kernel : `${spec.kernel}:${spec.path}`;
    const n = (this.#labelCounts.get(base) ?? 0) + 1;
    this.#labelCounts.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  }

  #windowed(spec: ShaderSpec, counts: readonly number[]): ShaderSpec {
    const key = `${counts.join()}|${spec.code}`;
    let hit = this.#windowedSpecs.get(key);
    if (!hit) {
      hit = windowedSpec(spec, counts, this.window);
      this.#windowedSpecs.set(key, hit);
    }
    return hit;
  }

  /** Splits `groups` workgroups over x and y so neither exceeds the adapter's limit. */
  grid(groups: number): [number, number] {
    if (groups <= this.maxGroups) return [groups, 1];
    const y = Math.ceil(groups / this.maxGroups);
    if (y > this.maxGroups) throw new ShapeError(`webgpu: ${groups} workgroups exceed the grid`);
    return [Math.ceil(groups / y), y];
  }

  /** A device-only buffer reused by kernels for intermediate results (never read by users). */
  scratch(name: string, bytes: number): RawBinding {
    const size = BufferPool.round(bytes);
    let b = this.#scratch.get(name);
    if (!b || b.size < size) {
      if (b) {
        const old = b;
        this.#afterSubmit.push(() => old.destroy());
      }
      b = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.#scratch.set(name, b);
    }
    return { buffer: b, byteLength: size };
  }

  /** A device-only buffer of `bytes` for indirect dispatch arguments (bindable as storage, clearable). */
  indirectScratch(name: string, bytes: number): RawBinding {
    let b = this.#scratch.get(name);
    if (!b || b.size < bytes) {
      if (b) {
        const old = b;
        this.#afterSubmit.push(() => old.destroy());
      }
      b = this.device.createBuffer({
        size: BufferPool.round(bytes),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_DST,
      });
      this.#scratch.set(name, b);
    }
    return { buffer: b, byteLength: b.size };
  }

  /**
   * A 16-byte buffer for an optional binding the shader skips (no bias, no mask): binding
   * a real operand there instead would cost a window of it when it is a big tensor.
   */
  placeholder(): RawBinding {
    return this.scratch('placeholder', 16);
  }

  /**
   * Uploads host data into `dst` in queue order with the work already encoded. With nothing
   * pending, `writeBuffer` straight from the caller's array (its one copy into GPU-visible
   * memory; a Float32Array batch is not copied on the host first).
   */
  upload(dst: GPUBuffer, data: ArrayBufferView): void {
    if (data.byteLength === 0) return;
    if (this.#encoding === null && this.#deferred === null && this.#queuedCount === 0) {
      this.device.queue.writeBuffer(dst, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // Work is pending on `dst` or on its previous owner: stage and copy inside the encoder.
    const size = BufferPool.round(data.byteLength);
    const staging = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(staging.getMappedRange(0, size)).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    staging.unmap();
    this.copies((enc) => enc.copyBufferToBuffer(staging, 0, dst, 0, size));
    this.#afterSubmit.push(() => staging.destroy());
  }

  // ---- submission -----------------------------------------------------------------------

  /**
   * Submits everything encoded so far (one command buffer): at once, or, when the submit waits
   * for a pipeline still compiling, as soon as the compiles are done (after earlier submits).
   */
  flush(): void {
    if (this.#encoding === null && this.#deferred === null) return;
    const encoding = this.#encoding ?? new Encoding(this.device.createCommandEncoder());
    const deferred = this.#deferred;
    const waits = this.#waits;
    this.#encoding = null;
    this.#deferred = null;
    this.#waits = [];
    const queries = this.#queryKernels;
    this.#queryKernels = [];
    // The parameters of this submit: copied when the submit waits, since the next dispatches
    // write the same arena.
    const arenas: { buffer: GPUBuffer; data: Uint8Array }[] = [];
    for (let i = 0; i <= this.#arenaIndex && i < this.#arenas.length; i++) {
      const a = this.#arenas[i];
      const used = i < this.#arenaIndex ? ARENA_BYTES : this.#arenaOffset;
      if (used > 0) {
        const data = a.data.subarray(0, used);
        arenas.push({ buffer: a.buffer, data: deferred ? data.slice() : data });
      }
    }
    this.#arenaIndex = 0;
    this.#arenaOffset = 0;
    this.#labelCounts.clear();
    const afterSubmit = this.#afterSubmit;
    this.#afterSubmit = [];
    const submit = () => {
      if (this.#destroyed) return;
      for (const op of deferred ?? []) op(encoding);
      encoding.endPass();
      const profileRead = this.#resolveQueries(encoding.encoder, queries);
      for (const a of arenas) {
        this.device.queue.writeBuffer(
          a.buffer,
          0,
          a.data.buffer,
          a.data.byteOffset,
          a.data.byteLength,
        );
      }
      this.device.queue.submit([encoding.encoder.finish()]);
      this.#submits++;
      for (const f of afterSubmit) f();
      if (profileRead) {
        profileRead.resolve.destroy();
        this.#pendingProfiles.push(this.#collectProfile(profileRead));
      }
    };
    if (deferred === null) {
      submit();
      return;
    }
    if (waits.length > 0) this.#compileWaits++;
    this.#queuedCount++;
    this.#queued = this.#queued
      .then(() => Promise.all(waits))
      .then(submit)
      .catch((err: unknown) => {
        this.#errors.push(err instanceof Error ? err.message : String(err));
      })
      .finally(() => {
        this.#queuedCount--;
      });
  }

  /** Resolves this submit's timestamp queries into a buffer to read after it ran. */
  #resolveQueries(
    encoder: GPUCommandEncoder,
    kernels: string[],
  ): { buffer: GPUBuffer; resolve: GPUBuffer; kernels: string[] } | null {
    if (!this.#querySet || kernels.length === 0) return null;
    const count = kernels.length * 2;
    const resolve = this.device.createBuffer({
      size: count * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const read = this.device.createBuffer({
      size: count * 8,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(this.#querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, count * 8);
    return { buffer: read, resolve, kernels };
  }

  /** Submits what is encoded and waits until every submit so far reached the queue. */
  async #submitted(): Promise<void> {
    this.flush();
    await this.#queued;
  }

  async #collectProfile(p: { buffer: GPUBuffer; kernels: string[] }): Promise<void> {
    await p.buffer.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(p.buffer.getMappedRange());
    for (let i = 0; i < p.kernels.length; i++) {
      // Some drivers return non-monotonic stamps: a negative span counts as zero.
      const ns = Math.max(0, Number(t[2 * i + 1] - t[2 * i]));
      const k = p.kernels[i];
      this.#kernelNs.set(k, (this.#kernelNs.get(k) ?? 0) + ns);
    }
    p.buffer.unmap();
    p.buffer.destroy();
  }

  /** GPU milliseconds per kernel since the last reset (timestamp queries; profiling only). */
  async kernelTimes(reset = true): Promise<Record<string, number>> {
    await this.#submitted();
    await Promise.all(this.#pendingProfiles);
    this.#pendingProfiles = [];
    const out: Record<string, number> = {};
    for (const [k, ns] of this.#kernelNs) out[k] = ns / 1e6;
    if (reset) this.#kernelNs.clear();
    return out;
  }

  /** Copies `bytes` of `src` to the host after everything encoded so far. */
  async readBytes(src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const size = BufferPool.round(bytes);
    const staging = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.copies((enc) => enc.copyBufferToBuffer(src, 0, staging, 0, size));
    await this.#submitted();
    try {
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (err) {
        // A lost device rejects the map (its lost promise may settle just after): say why
        // instead of passing on the bare rejection.
        await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 100))]);
        if (this.#lost) throw this.#lost;
        throw err;
      }
      this.throwErrors();
      return staging.getMappedRange(0, bytes).slice(0);
    } finally {
      if (staging.mapState === 'mapped') staging.unmap();
      staging.destroy();
    }
  }

  /** Waits for the queue, then throws what the device reported since the last check. */
  async sync(): Promise<void> {
    await this.#submitted();
    await this.device.queue.onSubmittedWorkDone();
    this.throwErrors();
  }

  throwErrors(): void {
    if (this.#lost) throw this.#lost;
    if (this.#errors.length === 0) return;
    const msg = this.#errors.join('\n');
    this.#errors = [];
    throw new WebGpuError(`webgpu device error: ${msg}`);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#encoding?.endPass();
    this.#encoding = null;
    this.#deferred = null;
    this.pool.clear();
    this.#bindGroups.clear();
    for (const b of this.#scratch.values()) b.destroy();
    for (const a of this.#arenas) a.buffer.destroy();
    this.#querySet?.destroy();
    this.device.destroy();
  }
}

function checkAliasing(spec: ShaderSpec, bindings: readonly Binding[]): void {
  for (let i = 0; i < bindings.length; i++) {
    for (let j = i + 1; j < bindings.length; j++) {
      if (bindings[i].buffer !== bindings[j].buffer) continue;
      // WebGPU allows one buffer in several bindings when all are read-only or all writable.
      if (spec.bindings[i] === spec.bindings[j]) continue;
      throw new ShapeError(
        `webgpu ${spec.kernel}: the same tensor is passed as argument ${i} and ${j}, which this kernel does not allow`,
      );
    }
  }
}

/** Writes one dispatch's parameters: a fixed list of 32-bit words. */
export class ParamWriter {
  readonly #words: { kind: 'u' | 'i' | 'f'; value: number }[] = [];

  u32(value: number): this {
    this.#words.push({ kind: 'u', value });
    return this;
  }

  i32(value: number): this {
    this.#words.push({ kind: 'i', value });
    return this;
  }

  f32(value: number): this {
    this.#words.push({ kind: 'f', value });
    return this;
  }

  get bytes(): number {
    return Math.max(16, this.#words.length * 4);
  }

  write(view: DataView): void {
    this.#words.forEach((w, i) => {
      if (w.kind === 'u') view.setUint32(i * 4, w.value >>> 0, true);
      else if (w.kind === 'i') view.setInt32(i * 4, w.value | 0, true);
      else view.setFloat32(i * 4, w.value, true);
    });
  }
}

export function params(): ParamWriter {
  return new ParamWriter();
}
