/**
 * A small byte-level BPE tokenizer.json, built the way GPT-2's is: every byte has a token
 * (spelled with GPT-2's printable byte alphabet, so a space is "Ġ" and a newline "Ċ"), a few
 * merges on top, and one added special token.
 */
export function byteLevelBpeTokenizer() {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const byteChar = new Map<number, string>(printable.map((b) => [b, String.fromCodePoint(b)]));
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (!byteChar.has(b)) byteChar.set(b, String.fromCodePoint(256 + shifted++));
  }
  const vocab: Record<string, number> = {};
  let id = 0;
  for (let b = 0; b < 256; b++) vocab[byteChar.get(b) as string] = id++;
  const merges = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
    ['Ġ', 'c'],
    ['a', 't'],
  ];
  for (const [a, b] of merges) vocab[a + b] = id++;
  const eot = id++;
  vocab['<|endoftext|>'] = eot;
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eot,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map((m) => m.join(' ')),
    },
  };
}
