/**
 * A minimal, deterministic ustar writer: the same entries always give the same bytes (fixed
 * mtime, owner and order as given), so images built from these tarballs keep a stable id.
 * Only what image building needs: directories, regular files and symbolic links, names < 100 bytes.
 */

export type TarEntry =
  | { type: 'dir'; name: string; mode: number }
  | { type: 'file'; name: string; mode: number; data: Buffer }
  | { type: 'symlink'; name: string; target: string };

const BLOCK = 512;

function writeString(header: Buffer, value: string, offset: number, length: number, what: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length >= length) throw new Error(`tar: ${what} too long (${bytes.length} bytes, at most ${length - 1}): ${value}`);
  bytes.copy(header, offset);
}

/** Octal field, zero-padded, NUL-terminated, as ustar readers expect. */
function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  header.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

function header(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const name = entry.type === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  writeString(h, name, 0, 100, 'name');
  writeOctal(h, entry.type === 'symlink' ? 0o777 : entry.mode, 100, 8);
  writeOctal(h, 0, 108, 8); // uid
  writeOctal(h, 0, 116, 8); // gid
  writeOctal(h, size, 124, 12);
  writeOctal(h, 0, 136, 12); // mtime: the epoch, for reproducibility
  h.write(entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0', 156, 1, 'ascii');
  if (entry.type === 'symlink') writeString(h, entry.target, 157, 100, 'link target');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  // The checksum is computed with its own field read as spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Builds a complete tar archive (with the two closing zero blocks) from `entries`, in order. */
export function buildTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? entry.data : Buffer.alloc(0);
    parts.push(header(entry, data.length));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
