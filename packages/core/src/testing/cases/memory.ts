import { expect } from 'vitest';
import type { DType } from '../../backend/tensor.js';
import type { ConformanceGroup } from '../case.js';

const SHAPES: readonly (readonly number[])[] = [[], [1], [3], [17, 1], [3, 17], [63, 65], [257]];

export const memoryCases: ConformanceGroup = {
  name: 'memory: create / write / read / dispose',
  cases: [
    ...(['float32', 'int32'] as const).map(
      (dtype) =>
        ({
          name: `create without data is zero-filled, ${dtype}, with shape, size and dtype`,
          async run(ctx) {
            for (const shape of SHAPES) {
              const t = ctx.tensor(shape, dtype);
              const size = shape.reduce((a, b) => a * b, 1);
              expect(t.shape, 'shape').toEqual(shape);
              expect(t.size, `size of [${shape.join(', ')}]`).toBe(size);
              expect(t.dtype).toBe(dtype);
              expect(t.backend).toBe(ctx.backend.name);
              await ctx.expectExact(`zeros [${shape.join(', ')}]`, t, new Array(size).fill(0));
            }
          },
        }) satisfies ConformanceGroup['cases'][number],
    ),
    {
      name: 'float32 round-trips bit for bit (create, write, read)',
      async run(ctx) {
        const special = Float32Array.from([
          0,
          -1.5,
          3.4e38,
          -3.4e38,
          1.2e-38,
          1e-7,
          Math.PI,
          Infinity,
          -Infinity,
        ]);
        const a = ctx.f32([special.length], special);
        await ctx.expectExact('created', a, special);
        for (const shape of SHAPES) {
          const size = shape.reduce((x, y) => x * y, 1);
          const data = ctx.random.normal(size, 10);
          const t = ctx.tensor(shape, 'float32', data);
          await ctx.expectExact(`create [${shape.join(', ')}]`, t, data);
          const next = ctx.random.normal(size);
          ctx.backend.write(t, next);
          await ctx.expectExact(`write [${shape.join(', ')}]`, t, next);
        }
      },
    },
    {
      name: 'int32 round-trips exactly, including −1 and the extremes',
      async run(ctx) {
        const data = Int32Array.from([0, -1, 1, 2147483647, -2147483648, 16777217, -16777217]);
        const t = ctx.i32([data.length], data);
        await ctx.expectExact('created', t, data);
        const next = Int32Array.from(data, (v, i) => (i % 2 === 0 ? -1 : v ^ 0x5a5a5a5a));
        ctx.backend.write(t, next);
        await ctx.expectExact('written', t, next);
        const rows = Int32Array.from({ length: 3 * 65 }, (_, i) => i - 100);
        await ctx.expectExact('[3, 65]', ctx.i32([3, 65], rows), rows);
      },
    },
    {
      name: 'read returns a copy and create / write copy their input',
      async run(ctx) {
        const host = Float32Array.from([1, 2, 3]);
        const t = ctx.f32([3], host);
        host[0] = 99;
        await ctx.expectExact('after mutating the create input', t, [1, 2, 3]);
        const got = await ctx.read(t);
        got[1] = 99;
        await ctx.expectExact('after mutating a read result', t, [1, 2, 3]);
        const w = Float32Array.from([4, 5, 6]);
        ctx.backend.write(t, w);
        w[2] = 99;
        await ctx.expectExact('after mutating the write input', t, [4, 5, 6]);
      },
    },
    {
      name: 'disposing one tensor leaves the others intact',
      async run(ctx) {
        const dtypes: DType[] = ['float32', 'int32', 'float32'];
        const [a, b, c] = dtypes.map((dt, i) =>
          ctx.backend.create(
            [17],
            dt,
            dt === 'int32'
              ? Int32Array.from({ length: 17 }, (_, j) => j * i)
              : Float32Array.from({ length: 17 }, (_, j) => j + i),
          ),
        );
        ctx.backend.dispose(b);
        await ctx.expectExact(
          'first',
          a,
          Array.from({ length: 17 }, (_, j) => j),
        );
        await ctx.expectExact(
          'third',
          c,
          Array.from({ length: 17 }, (_, j) => j + 2),
        );
        ctx.backend.dispose(a);
        ctx.backend.dispose(c);
        const fresh = ctx.tensor([17]);
        await ctx.expectExact(
          'a tensor created after disposals is zero-filled',
          fresh,
          new Array(17).fill(0),
        );
      },
    },
  ],
};
