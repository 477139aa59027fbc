/**
 * stdout and stderr without creating process.stdout or process.stderr until they are needed.
 *
 * Node builds process.stdout on first access: for a pipe (`k8s-storage render ... | kubectl
 * apply -f -`) that is a net.Socket, and loading net, stream and tty costs about 7 ms of a
 * 70 ms start-up. A command's output is written whole and at once, so these sinks write it
 * with fs.writeSync, as Node itself does for files, TTYs and (on Linux) pipes. The stream is
 * made, and used from then on so that order is kept, only when something needs it: a
 * terminal's width or colours, piping data (`backup data` streams a tarball), or a
 * non-blocking descriptor that answers EAGAIN.
 */
import { fstatSync, writeSync } from 'node:fs';

/** What commands write text to: a sink here, or a test's stream. */
export interface TextOut {
  write(text: string): unknown;
  /** Whether it is a terminal (a test's stream may not say: then it is not). */
  readonly isTTY?: boolean;
}

export class StdioSink implements TextOut {
  #stream: NodeJS.WriteStream | undefined;
  #tty: boolean | undefined;

  /** `onBrokenPipe`: the reader went away (EPIPE), which is not an error of ours. */
  constructor(
    private readonly fd: 1 | 2,
    private readonly onBrokenPipe: () => void,
  ) {}

  /** process.stdout (or stderr), made now if it was not, with the broken-pipe handler. */
  stream(): NodeJS.WriteStream {
    if (!this.#stream) {
      const stream = this.fd === 1 ? process.stdout : process.stderr;
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') this.onBrokenPipe();
      });
      this.#stream = stream;
    }
    return this.#stream;
  }

  /** Whether the stream was made: then output may still be queued in it (see drained). */
  get streamMade(): boolean {
    return this.#stream !== undefined;
  }

  /**
   * Whether this is a terminal. A pipe, a socket or a file never is: fstat tells without
   * loading tty. Only a character device (a terminal, or /dev/null) asks the stream.
   */
  get isTTY(): boolean {
    if (this.#tty === undefined) {
      let device = true;
      try {
        device = fstatSync(this.fd).isCharacterDevice();
      } catch {
        // A closed descriptor: the stream will say.
      }
      this.#tty = device && this.stream().isTTY === true;
    }
    return this.#tty;
  }

  /** The terminal's width, when this is a terminal. */
  get columns(): number | undefined {
    return this.isTTY ? this.stream().columns : undefined;
  }

  write(text: string): boolean {
    if (this.#stream) return this.#stream.write(text);
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        this.onBrokenPipe();
        return false;
      }
      // A non-blocking descriptor that is full: the stream waits for it properly.
      if (code === 'EAGAIN') return this.stream().write(bytes.subarray(done));
      throw err;
    }
  }

  /** Calls `done` once everything written has left the process. */
  drained(done: () => void): void {
    const stream = this.#stream;
    if (!stream || stream.writableLength === 0) return done();
    stream.write('', done);
  }
}

/** Data only: what commands print. A reader that went away ends the run quietly (exit 0). */
export const stdout = new StdioSink(1, () => process.exit(0));
/** Messages for people. If nobody reads them, they are dropped. */
export const stderr = new StdioSink(2, () => {});
