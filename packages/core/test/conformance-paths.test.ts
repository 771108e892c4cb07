import { pathProblems } from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';

const declared = ['topk:row-scan', 'topk:radix', 'matmul:tiled'];

describe('kernel path coverage (describeBackendConformance paths option)', () => {
  it('holds when every declared path is reached and nothing else is named', () => {
    const byCase = new Map([
      ['selection/narrow', ['topk:row-scan', 'fill']],
      ['selection/wide', ['topk:radix', 'matmul:tiled']],
    ]);
    expect(pathProblems(declared, byCase)).toEqual([]);
  });

  it('names a declared path that no case reaches', () => {
    const byCase = new Map([['selection/narrow', ['topk:row-scan', 'matmul:tiled']]]);
    expect(pathProblems(declared, byCase)).toEqual([
      "declared path 'topk:radix' is reached by no case",
    ]);
  });

  it('names an undeclared path and the cases that took it', () => {
    const byCase = new Map([
      ['a', ['topk:row-scan', 'topk:radix', 'matmul:tiled']],
      ['b', ['topk:bitonic']],
    ]);
    expect(pathProblems(declared, byCase)).toEqual([
      "path 'topk:bitonic' is not declared (taken by b)",
    ]);
  });

  it('refuses an unnamed dispatch of a kernel that has declared paths', () => {
    const byCase = new Map([['a', ['topk:row-scan', 'topk:radix', 'matmul:tiled', 'topk']]]);
    expect(pathProblems(declared, byCase)).toEqual([
      "kernel 'topk' has declared paths but dispatched without naming one (taken by a)",
    ]);
  });
});
