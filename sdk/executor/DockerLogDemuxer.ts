/** A chunk of a container's output, from one stream. */
export interface DemuxedChunk {
  stream: "stdout" | "stderr";
  data: Buffer;
}

/**
 * Splits Docker's multiplexed log stream (containers without a TTY): frames of an 8-byte header
 * (`[stream, 0, 0, 0, size uint32 BE]`, stream 1 = stdout, 2 = stderr) then `size` bytes.
 * Frames may arrive split across chunks; `push` returns the complete frames seen so far.
 */
export class DockerLogDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): DemuxedChunk[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: DemuxedChunk[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const streamType = this.pending[0];
      out.push({ stream: streamType === 2 ? "stderr" : "stdout", data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }

  /** Bytes of an incomplete frame left at the end of the stream (0 for a well-formed stream). */
  get leftover(): number {
    return this.pending.length;
  }
}
