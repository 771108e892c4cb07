import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uploadFiles } from '@huggingface/hub';
import { HubError, type HubOptions, hubFailure, parseHubUri } from './hub.js';

/** The files of an SAE folder that a push uploads, when present. */
const PUSHED = [
  'cfg.json',
  'sae_weights.safetensors',
  'sparsity.safetensors',
  'sae.safetensors',
  'params.npz',
];

export interface PushOptions extends Omit<HubOptions, 'cacheDir' | 'offline'> {
  /** README.md (the model card) written beside the files. */
  readonly card?: string;
  readonly commitTitle?: string;
}

/**
 * Uploads an SAE folder (SAELens, sparsify or Gemma Scope files, plus a model card) to
 * `hf://ORG/REPO[@BRANCH][/PATH]` in one commit. The repo must exist; a token (HF_TOKEN)
 * with write access is needed.
 */
export async function pushSaeToHub(
  dir: string,
  uri: string,
  options: PushOptions = {},
): Promise<{ readonly files: readonly string[] }> {
  const a = parseHubUri(uri);
  const token = options.token ?? (process.env.HF_TOKEN || undefined);
  if (token === undefined) throw new HubError(uri, 'pushing needs a token: set HF_TOKEN');
  const endpoint = (
    options.endpoint ??
    process.env.HF_ENDPOINT ??
    'https://huggingface.co'
  ).replace(/\/+$/, '');
  const inRepo = (f: string) => (a.path ? `${a.path}/${f}` : f);
  const files: { path: string; content: Blob }[] = [];
  for (const f of PUSHED) {
    const local = join(dir, f);
    if (existsSync(local))
      files.push({ path: inRepo(f), content: new Blob([await readFile(local)]) });
  }
  if (!files.some((f) => !f.path.endsWith('sparsity.safetensors'))) {
    throw new HubError(uri, `${dir} holds no SAE files (${PUSHED.join(', ')})`);
  }
  if (options.card !== undefined)
    files.push({ path: inRepo('README.md'), content: new Blob([options.card]) });
  try {
    await uploadFiles({
      repo: { type: 'model', name: a.repo },
      files,
      accessToken: token,
      hubUrl: endpoint,
      branch: a.revision,
      commitTitle: options.commitTitle ?? `Upload SAE ${a.path || a.repo} with saekit`,
      useXet: false,
    });
  } catch (cause) {
    throw hubFailure(uri, cause, true);
  }
  return { files: files.map((f) => f.path) };
}
