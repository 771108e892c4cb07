import { asMatrix, ShapeError, type Tensor } from '@saekit/core';

/** Host-side shape checks, so a wrong call fails with the kernel and tensor named. */
export function expectDtype(kernel: string, role: string, t: Tensor, dtype: Tensor['dtype']): void {
  if (t.dtype !== dtype) {
    throw new ShapeError(`${kernel}: '${role}' must be ${dtype}, got ${t.dtype}[${t.shape}]`);
  }
}

export function expectSize(kernel: string, role: string, t: Tensor, size: number): void {
  if (t.size !== size) {
    throw new ShapeError(`${kernel}: '${role}' must have ${size} elements, got [${t.shape}]`);
  }
}

export function expectMatrix(
  kernel: string,
  role: string,
  t: Tensor,
  rows: number | undefined,
  cols: number | undefined,
): [number, number] {
  const [r, c] = asMatrix(t);
  if ((rows !== undefined && r !== rows) || (cols !== undefined && c !== cols)) {
    throw new ShapeError(
      `${kernel}: '${role}' must be [${rows ?? '*'}, ${cols ?? '*'}], got [${t.shape}]`,
    );
  }
  return [r, c];
}

export function expectOffset(kernel: string, out: Tensor, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset >= out.size) {
    throw new ShapeError(`${kernel}: offset ${offset} outside 'out' [${out.shape}]`);
  }
}
