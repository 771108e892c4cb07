/** A llama2.c tokenizer file: int32 max length, then per token f32 score, i32 length, bytes. */
export function llama2cTokenizerBytes(pieces: readonly string[]): Uint8Array {
  const enc = new TextEncoder();
  const encoded = pieces.map((p) => enc.encode(p));
  const maxLen = Math.max(1, ...encoded.map((e) => e.length));
  const size = 4 + encoded.reduce((n, e) => n + 8 + e.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, maxLen, true);
  let off = 4;
  encoded.forEach((e, i) => {
    view.setFloat32(off, -i, true);
    view.setInt32(off + 4, e.length, true);
    out.set(e, off + 8);
    off += 8 + e.length;
  });
  return out;
}
