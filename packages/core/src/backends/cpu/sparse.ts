import { KernelArgumentError } from '../../errors.js';

/**
 * The slot's row index, or −1 for an empty slot. An index past the last row is a data error
 * only a host backend can see without a read-back; the reference backend names it.
 */
export function rowIndex(kernel: string, index: number, limit: number, slot: number): number {
  // Every caller treats any negative row as an empty slot.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (index < 0) return -1;
  if (index >= limit) {
    throw new KernelArgumentError(
      kernel,
      'indices',
      `indices[${slot}] = ${index} is outside [0, ${limit}) (the weight rows)`,
    );
  }
  return index;
}
