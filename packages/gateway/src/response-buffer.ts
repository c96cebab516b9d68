// A whole response body held for a slow client: in memory up to a limit, then in an unlinked temp file.
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export interface ResponseBufferOptions {
  memoryLimitBytes: number;
  tempDir: string;
}

/**
 * Collects a response body as fast as the backend sends it (the Persistent-CGI idea: the worker is
 * freed at once), then replays it at the client's pace. Past `memoryLimitBytes` everything goes to a
 * file in `tempDir` that is unlinked right after it is opened: only the descriptor keeps it, so nothing
 * is left behind whatever happens to the process.
 */
export class ResponseBuffer {
  private chunks: Buffer[] = [];
  private file: FileHandle | undefined;
  private bytes = 0;
  private position = 0;
  // Disk writes run one after another; write() hands back this chain so the caller can pause its source.
  private tail: Promise<void> = Promise.resolve();
  private destroyed = false;

  constructor(private readonly options: ResponseBufferOptions) {}

  /** Bytes written so far. */
  get size(): number {
    return this.bytes;
  }

  /** Whether the body went to a temp file. */
  get onDisk(): boolean {
    return this.file !== undefined || this.position > 0;
  }

  /**
   * Append `chunk` (kept by reference until it reaches the file). Returns a promise when the bytes go
   * to disk: the caller should not write again (pause its source) until it settles.
   */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.destroyed || chunk.length === 0) return undefined;
    this.bytes += chunk.length;
    if (this.file === undefined && this.bytes <= this.options.memoryLimitBytes) {
      this.chunks.push(chunk);
      return undefined;
    }
    this.chunks.push(chunk);
    this.tail = this.tail.then(() => this.flush());
    return this.tail;
  }

  /** Settles when every write has reached its destination. */
  settled(): Promise<void> {
    return this.tail;
  }

  /** The whole body as a stream; the buffer hands its file to the stream, which closes it at its end. */
  reader(): Readable {
    const file = this.file;
    this.file = undefined;
    this.destroyed = true;
    if (file === undefined) {
      const chunks = this.chunks;
      this.chunks = [];
      return Readable.from(chunks, { objectMode: false });
    }
    if (this.position === 0) {
      void file.close();
      return Readable.from([], { objectMode: false });
    }
    return file.createReadStream({ start: 0, end: this.position - 1, autoClose: true });
  }

  /** Drop the body: frees the memory and closes the file once pending writes are done. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.chunks = [];
    const closeFile = () => {
      const file = this.file;
      this.file = undefined;
      return file?.close();
    };
    this.tail.then(closeFile, closeFile).catch(() => {});
  }

  private async flush(): Promise<void> {
    if (this.destroyed) return;
    if (this.file === undefined) this.file = await this.openTempFile();
    const pending = this.chunks;
    this.chunks = [];
    for (const chunk of pending) {
      // A regular file may take fewer bytes than offered; write the rest at the new position.
      for (let offset = 0; offset < chunk.length; ) {
        if (this.destroyed) return;
        const { bytesWritten } = await this.file.write(chunk, offset, chunk.length - offset, this.position);
        offset += bytesWritten;
        this.position += bytesWritten;
      }
    }
  }

  private async openTempFile(): Promise<FileHandle> {
    const path = join(this.options.tempDir, `scgi-gateway-${process.pid}-${randomUUID()}.body`);
    const file = await open(path, 'wx+', 0o600);
    try {
      await unlink(path);
    } catch (error) {
      await file.close();
      throw error;
    }
    return file;
  }
}
