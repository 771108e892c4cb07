import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request the fake Hub saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
}

export interface FakeHub {
  /** http://127.0.0.1:PORT, to pass as the endpoint (HF_ENDPOINT). */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** repo → path → bytes; pushes land here too. */
  readonly repos: Map<string, Map<string, Uint8Array>>;
  /** Repos that answer only to `Authorization: Bearer <token>`. */
  readonly private: Map<string, string>;
  close(): Promise<void>;
}

const COMMIT = 'a'.repeat(40);

/**
 * A local HTTP server that answers like the Hugging Face Hub's file endpoints, as
 * @huggingface/hub calls them: paths-info, resolve (with Range), preupload and commit
 * (NDJSON, every file inline). Listens on 127.0.0.1 only.
 */
export async function startFakeHub(): Promise<FakeHub> {
  const repos = new Map<string, Map<string, Uint8Array>>();
  const privateRepos = new Map<string, string>();
  const requests: SeenRequest[] = [];

  const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const body = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => resolve(Buffer.concat(parts)));
    });
  const oid = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      method: req.method ?? '',
      url: url.pathname,
      authorization: req.headers.authorization,
    });
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(paths-info|preupload|commit)\/([^/]+)$/.exec(
      url.pathname,
    );
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repoName = api?.[1] ?? resolve?.[1];
    if (repoName === undefined) return json(res, 404, { error: 'not found' });
    const repo = repos.get(repoName);
    const token = privateRepos.get(repoName);
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    }
    if (repo === undefined)
      return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    if (api?.[2] === 'paths-info') {
      const { paths } = JSON.parse((await body(req)).toString()) as { paths: string[] };
      const found = paths.filter((p) => repo.has(p));
      return json(
        res,
        200,
        found.map((p) => {
          const bytes = repo.get(p) as Uint8Array;
          return {
            type: 'file',
            path: p,
            oid: oid(bytes),
            size: bytes.length,
            lastCommit: { id: COMMIT, title: 'x', date: new Date(0).toISOString() },
          };
        }),
      );
    }
    if (api?.[2] === 'preupload') {
      const { files } = JSON.parse((await body(req)).toString()) as { files: { path: string }[] };
      return json(res, 200, {
        files: files.map((f) => ({ path: f.path, uploadMode: 'regular', shouldIgnore: false })),
      });
    }
    if (api?.[2] === 'commit') {
      const lines = (await body(req))
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      for (const { key, value } of lines) {
        if (key === 'file')
          repo.set(
            value.path,
            Buffer.from(value.content, value.encoding === 'base64' ? 'base64' : 'utf8'),
          );
      }
      return json(res, 200, {
        success: true,
        commitOid: COMMIT,
        commitUrl: `${url.origin}/commit/${COMMIT}`,
        hookOutput: '',
      });
    }
    const path = decodeURIComponent(resolve?.[3] ?? '');
    const bytes = repo.get(path);
    if (bytes === undefined)
      return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    res.writeHead(range ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start + 1),
      ETag: `"${oid(bytes)}"`,
      ...(range && { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` }),
    });
    res.end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    repos,
    private: privateRepos,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
