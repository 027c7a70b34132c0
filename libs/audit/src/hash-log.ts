// The hashes a verifier has accepted, by position, so that checkpoints read after the events can be
// matched against the chain. The first MEMORY_HASHES stay in memory; beyond that they go, 32 bytes
// each, to a temporary file read back at random, so memory stays constant however long the export.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MEMORY_HASHES = 128 * 1024; // 4 MiB
const PAGE_HASHES = 2048; // 64 KiB per write

/** Append-only hash store, in memory up to a bound and then on disk. */
export class HashLog {
  private readonly memoryHashes: number;
  private readonly memory: Buffer;
  private readonly page = Buffer.alloc(PAGE_HASHES * 32);
  private pageCount = 0;
  private count = 0;
  private spilled = 0;
  private file: { dir: string; fd: number } | undefined;

  constructor(
    private readonly first: number,
    options: { readonly memoryHashes?: number } = {},
  ) {
    this.memoryHashes = options.memoryHashes ?? MEMORY_HASHES;
    this.memory = Buffer.alloc(this.memoryHashes * 32);
  }

  /** Positions held: first .. first + size - 1. */
  get size(): number {
    return this.count;
  }

  /** Appends the hash of position first + size. */
  push(hashHex: string): void {
    if (this.count < this.memoryHashes) {
      this.memory.write(hashHex, this.count * 32, 32, 'hex');
    } else {
      this.page.write(hashHex, this.pageCount * 32, 32, 'hex');
      this.pageCount += 1;
      if (this.pageCount === PAGE_HASHES) this.flush();
    }
    this.count += 1;
  }

  /** The hash held for `position`, or undefined outside the range. */
  at(position: number): string | undefined {
    const index = position - this.first;
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count) return undefined;
    if (index < this.memoryHashes) return this.memory.toString('hex', index * 32, index * 32 + 32);
    const onDisk = index - this.memoryHashes;
    if (onDisk >= this.spilled) {
      const inPage = onDisk - this.spilled;
      return this.page.toString('hex', inPage * 32, inPage * 32 + 32);
    }
    const out = Buffer.alloc(32);
    readSync(this.file!.fd, out, 0, 32, onDisk * 32);
    return out.toString('hex');
  }

  /** Deletes the temporary file, if one was needed. */
  dispose(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
  }

  private flush(): void {
    if (!this.file) {
      const dir = mkdtempSync(join(tmpdir(), 'caravan-verify-'));
      this.file = { dir, fd: openSync(join(dir, 'hashes'), 'w+', 0o600) };
    }
    writeSync(this.file.fd, this.page, 0, this.pageCount * 32, this.spilled * 32);
    this.spilled += this.pageCount;
    this.pageCount = 0;
  }
}
