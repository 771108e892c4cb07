/**
 * What the conformance cases import from 'vitest', for a page: vitest's own Jest-style
 * `expect` (the @vitest/expect plugins on chai, as vitest's browser mode builds it). The
 * suite's describe/it wrappers are never called here; they throw if they are.
 */

import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';
import * as chai from 'chai';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = (value: unknown, message?: string) => chai.expect(value, message);

function notInPage(): never {
  throw new Error('the browser conformance page runs cases directly, not through vitest');
}
export const describe = notInPage;
export const it = notInPage;
export const beforeAll = notInPage;
export const afterAll = notInPage;
