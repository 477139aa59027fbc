/**
 * Checks a gzip tar before anything is written to a claim: it must decompress to the end,
 * every header's checksum must hold, the archive must not end early, and no entry may
 * leave the target directory (absolute names, `..`). Also counts what it holds.
 *
 * A small reader of the ustar/GNU/pax formats that GNU tar and busybox write; only headers
 * are parsed, file data is skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface ArchiveReport {
  /** Compressed size and sha256 of the file as given. */
  bytes: number;
  sha256: string;
  entries: number;
  files: number;
  /** Uncompressed bytes of regular files. */
  contentBytes: number;
  problems: string[];
}

const BLOCK = 512;

function octal(buf: Buffer, start: number, len: number): number {
  // GNU base-256 for large sizes: the first byte has its high bit set.
  if ((buf[start]! & 0x80) !== 0) {
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const text = buf.toString('latin1', start, start + len).replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

const cstring = (buf: Buffer, start: number, len: number) => {
  const slice = buf.subarray(start, start + len);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? len : end).toString('utf8');
};

function checksumHolds(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === octal(h, 148, 8);
}

/** Why an entry name would write outside the target directory, or undefined. */
export function unsafeName(name: string): string | undefined {
  if (name.startsWith('/')) return `${JSON.stringify(name)} is an absolute path`;
  if (name.split('/').includes('..')) return `${JSON.stringify(name)} climbs out of the target with ".."`;
  return undefined;
}

/** Reads the whole file once: its sha256, and the tar inside checked header by header. */
export async function inspectArchive(path: string): Promise<ArchiveReport> {
  const report: ArchiveReport = { bytes: 0, sha256: '', entries: 0, files: 0, contentBytes: 0, problems: [] };
  const hash = createHash('sha256');
  const raw = createReadStream(path);
  raw.on('data', (c) => {
    report.bytes += c.length;
    hash.update(c as Buffer);
  });
  let pending: Buffer = Buffer.alloc(0);
  let skip = 0; // data bytes (padded) still to skip
  let longName: string | undefined;
  let ended = false;
  let zeroBlocks = 0;
  let sawHeader = false;
  const problem = (p: string) => {
    if (report.problems.length < 10) report.problems.push(p);
  };
  let paxPath: string | undefined;
  let collect: { kind: 'L' | 'x'; left: number; parts: Buffer[] } | undefined;
  try {
    for await (const chunk of raw.pipe(createGunzip())) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let off = 0;
      while (!ended) {
        if (skip > 0) {
          const take = Math.min(skip, pending.length - off);
          if (collect) {
            collect.parts.push(pending.subarray(off, off + Math.min(take, Math.max(collect.left, 0))));
            collect.left -= take;
          }
          off += take;
          skip -= take;
          if (skip > 0) break;
          if (collect) {
            const body = Buffer.concat(collect.parts).toString('utf8');
            if (collect.kind === 'L') longName = body.replace(/\0.*$/s, '');
            else paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1];
            collect = undefined;
          }
          continue;
        }
        if (pending.length - off < BLOCK) break;
        const h = pending.subarray(off, off + BLOCK);
        off += BLOCK;
        if (h.every((b) => b === 0)) {
          zeroBlocks += 1;
          if (zeroBlocks === 2) ended = true;
          continue;
        }
        zeroBlocks = 0;
        sawHeader = true;
        if (!checksumHolds(h)) {
          problem('a tar header is corrupt (bad checksum): this is not a tar archive, or it is damaged');
          ended = true;
          break;
        }
        const type = String.fromCharCode(h[156]!) || '0';
        const size = octal(h, 124, 12);
        skip = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'x') {
          collect = { kind: type, left: size, parts: [] };
          continue;
        }
        if (type === 'g') continue;
        const prefix = cstring(h, 345, 155);
        const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
        longName = undefined;
        paxPath = undefined;
        report.entries += 1;
        const bad = unsafeName(name);
        if (bad) problem(`entry ${bad}`);
        if (type === '0' || type === '\0' || type === '7') {
          report.files += 1;
          report.contentBytes += size;
        }
        if (type === '1' || type === '2') {
          const link = cstring(h, 157, 100);
          if (type === '1' && unsafeName(link)) problem(`hard link ${JSON.stringify(name)} points outside the target`);
        }
      }
      pending = pending.subarray(off);
    }
  } catch (err) {
    problem(`it is not a complete gzip file (${(err as Error).message})`);
  }
  report.sha256 = hash.digest('hex');
  if (report.bytes === 0) problem('it is empty');
  else if (!report.problems.length && !sawHeader && !ended) problem('it holds no tar archive');
  else if (!report.problems.length && (skip > 0 || (!ended && zeroBlocks < 1))) problem('the tar archive ends early (truncated)');
  return report;
}
