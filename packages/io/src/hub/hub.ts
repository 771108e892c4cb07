import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { downloadFile, pathsInfo } from '@huggingface/hub';
import { SaekitError } from '@saekit/core';

/**
 * A Hugging Face Hub failure (no such repo or file, refused credentials, no network, not in
 * the cache while offline), in one line that names the hf:// address.
 */
export class HubError extends SaekitError {
  constructor(
    readonly uri: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${uri}: ${message}`, options);
  }
}

/** Where and how to reach the Hub; every field defaults from the environment, as huggingface_hub's do. */
export interface HubOptions {
  /** Default HF_ENDPOINT, else https://huggingface.co. */
  readonly endpoint?: string;
  /** Default HF_TOKEN. Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  readonly cacheDir?: string;
  /** Default true when HF_HUB_OFFLINE is 1 / true: only the local cache is read. */
  readonly offline?: boolean;
}

export interface HubAddress {
  /** `org/name`. */
  readonly repo: string;
  /** Branch, tag or commit; default main. */
  readonly revision: string;
  /** Folder or file inside the repo ('' for the root). */
  readonly path: string;
}

const PREFIX = 'hf://';

export function isHubUri(s: string): boolean {
  return s.startsWith(PREFIX);
}

/** `hf://ORG/REPO[@REVISION][/PATH]` → its parts. */
export function parseHubUri(uri: string): HubAddress {
  const rest = uri.slice(PREFIX.length).replace(/\/+$/, '');
  const [org, nameRev, ...path] = rest.split('/');
  if (!isHubUri(uri) || !org || !nameRev) {
    throw new HubError(uri, 'expected hf://ORG/REPO[@REVISION][/PATH]');
  }
  const [name, revision = 'main'] = nameRev.split('@');
  if (!name || path.some((p) => p === '..' || p === '')) {
    throw new HubError(uri, 'expected hf://ORG/REPO[@REVISION][/PATH]');
  }
  return { repo: `${org}/${name}`, revision, path: path.join('/') };
}

function resolved(o: HubOptions) {
  const env = process.env;
  const offlineEnv = (env.HF_HUB_OFFLINE ?? '').toLowerCase();
  return {
    endpoint: (o.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    token: o.token ?? (env.HF_TOKEN || undefined),
    cacheDir:
      o.cacheDir ??
      env.HF_HUB_CACHE ??
      join(env.HF_HOME ?? join(homedir(), '.cache', 'huggingface'), 'hub'),
    offline: o.offline ?? (offlineEnv === '1' || offlineEnv === 'true' || offlineEnv === 'yes'),
  };
}

/** The files an SAE folder may hold, by format; the first group that is present decides. */
const SAE_FILES = {
  required: ['cfg.json', 'sae_weights.safetensors', 'sae.safetensors', 'params.npz'],
  optional: ['sparsity.safetensors'],
};

/**
 * The local folder (in saekit's part of the Hub cache) that mirrors `hf://…/PATH` for an
 * SAE: its cfg.json and weights (SAELens, sparsify) or params.npz (Gemma Scope). A file
 * already cached with the Hub's current id (git oid / LFS sha256) is not downloaded again;
 * offline, the cache is all there is.
 */
export async function fetchSaeFromHub(uri: string, options: HubOptions = {}): Promise<string> {
  const a = parseHubUri(uri);
  const o = resolved(options);
  const local = join(
    o.cacheDir,
    'saekit',
    `models--${a.repo.replace('/', '--')}`,
    a.revision,
    a.path,
  );
  const single = /\.(npz|safetensors|json)$/.test(a.path);
  const dir = single ? dirname(local) : local;
  const wanted = single
    ? [a.path]
    : [...SAE_FILES.required, ...SAE_FILES.optional].map((f) => (a.path ? `${a.path}/${f}` : f));
  if (o.offline) {
    const present = wanted.filter((p) => existsSync(cachePath(o.cacheDir, a, p)));
    if (!present.some((p) => !SAE_FILES.optional.some((f) => p.endsWith(f)))) {
      throw new HubError(
        uri,
        `not in the local cache (${dir}) and offline mode (HF_HUB_OFFLINE) forbids downloading it`,
      );
    }
    return single ? local : dir;
  }
  const credentials = o.token === undefined ? {} : { accessToken: o.token };
  let infos: Awaited<ReturnType<typeof pathsInfo>>;
  try {
    infos = await pathsInfo({
      repo: a.repo,
      paths: wanted,
      revision: a.revision,
      hubUrl: o.endpoint,
      ...credentials,
    });
  } catch (cause) {
    throw hubFailure(uri, cause, o.token !== undefined);
  }
  const files = infos.filter((i) => i.type === 'file');
  if (!files.some((f) => !SAE_FILES.optional.some((x) => f.path.endsWith(x)))) {
    throw new HubError(
      uri,
      single
        ? `no such file in ${a.repo}@${a.revision}`
        : `no SAE there: none of ${SAE_FILES.required.join(', ')} in ${a.repo}@${a.revision}/${a.path}`,
    );
  }
  for (const f of files) {
    const target = cachePath(o.cacheDir, a, f.path);
    const id = f.lfs?.oid ?? f.oid ?? '';
    const idFile = `${target}.oid`;
    if (existsSync(target) && existsSync(idFile) && (await readFile(idFile, 'utf8')) === id)
      continue;
    let blob: Blob | null;
    try {
      blob = await downloadFile({
        repo: a.repo,
        path: f.path,
        revision: a.revision,
        hubUrl: o.endpoint,
        xet: false,
        ...credentials,
      });
    } catch (cause) {
      throw hubFailure(`${PREFIX}${a.repo}@${a.revision}/${f.path}`, cause, o.token !== undefined);
    }
    if (blob === null)
      throw new HubError(`${PREFIX}${a.repo}/${f.path}`, 'vanished while downloading');
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await writeFile(tmp, new Uint8Array(await blob.arrayBuffer()));
    await rename(tmp, target);
    await writeFile(idFile, id);
  }
  return single ? local : dir;
}

function cachePath(cacheDir: string, a: HubAddress, repoPath: string): string {
  return join(cacheDir, 'saekit', `models--${a.repo.replace('/', '--')}`, a.revision, repoPath);
}

/** One line for a failed Hub request: status and what to do about it. */
export function hubFailure(uri: string, cause: unknown, hadToken: boolean): HubError {
  const status = (cause as { statusCode?: number }).statusCode;
  const message = ((cause as Error).message ?? String(cause)).split('. URL:')[0].split('\n')[0];
  if (status === 401 || status === 403) {
    return new HubError(
      uri,
      `the Hub refused access (${status})${hadToken ? ': HF_TOKEN has no access to this repo' : ': set HF_TOKEN for a private or gated repo'}`,
      { cause },
    );
  }
  if (status === undefined && /access token/i.test(message)) {
    return new HubError(uri, `HF_TOKEN is not a Hub token (${message})`, { cause });
  }
  if (status === 404) return new HubError(uri, `not found on the Hub (${message})`, { cause });
  if (status !== undefined)
    return new HubError(uri, `the Hub answered ${status}: ${message}`, { cause });
  return new HubError(
    uri,
    `cannot reach the Hub (${message}); set HF_HUB_OFFLINE=1 to use the local cache`,
    { cause },
  );
}
