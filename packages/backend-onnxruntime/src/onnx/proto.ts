/**
 * The few ONNX protobuf messages a saekit graph needs (model, graph, node, attribute, value
 * info), encoded by hand: a graph here is a handful of nodes built once per shape, and a
 * protobuf library would be a runtime dependency for ~100 lines of wire format.
 * Field numbers are those of onnx.proto (ONNX IR version 8).
 */

export const ELEM = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof ELEM;

export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  /** A number is a fixed size; a string names a symbolic dimension. */
  readonly dims: readonly (number | string)[];
}

export type AttrValue = number | readonly number[] | string | { readonly float: number };

export interface NodeDef {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

export interface Initializer {
  readonly name: string;
  readonly type: 'int64' | 'float';
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export interface GraphDef {
  readonly nodes: readonly NodeDef[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers?: readonly Initializer[];
}

class Writer {
  readonly #bytes: number[] = [];

  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.#bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.#bytes.push(Number(x));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }

  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    this.#bytes.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.#bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytes(field, w.done());
  }

  done(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

function attribute(w: Writer, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'string') w.bytes(4, new TextEncoder().encode(value)).int(20, 3);
  else if (typeof value === 'number') w.int(3, value).int(20, 2);
  else if ('float' in value) w.float(2, value.float).int(20, 1);
  else {
    for (const v of value) w.int(8, v);
    w.int(20, 7);
  }
}

function valueInfo(w: Writer, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEM[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

/** The serialized ModelProto of one graph (opset 17 of the default domain). */
export function encodeModel(graph: GraphDef): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'saekit');
  w.message(8, (op) => op.string(1, '').int(2, 17));
  w.message(7, (g) => {
    for (const [i, n] of graph.nodes.entries()) {
      g.message(1, (node) => {
        for (const x of n.inputs) node.string(1, x);
        for (const y of n.outputs) node.string(2, y);
        node.string(3, `n${i}`);
        node.string(4, n.op);
        for (const [name, value] of Object.entries(n.attrs ?? {})) {
          node.message(5, (a) => attribute(a, name, value));
        }
      });
    }
    g.string(2, 'saekit');
    for (const init of graph.initializers ?? []) {
      g.message(5, (t) => {
        for (const d of init.dims) t.int(1, d);
        t.int(2, ELEM[init.type]);
        t.string(8, init.name);
        const raw = new Uint8Array(init.values.length * (init.type === 'int64' ? 8 : 4));
        const view = new DataView(raw.buffer);
        for (const [i, v] of init.values.entries()) {
          if (init.type === 'int64') view.setBigInt64(i * 8, BigInt(v), true);
          else view.setFloat32(i * 4, v, true);
        }
        t.bytes(9, raw);
      });
    }
    for (const v of graph.inputs) g.message(11, (x) => valueInfo(x, v));
    for (const v of graph.outputs) g.message(12, (x) => valueInfo(x, v));
  });
  return w.done();
}
