/** Each region: reads fill one while the other's bytes are written to disk. */
const REGION_BYTES = 1024 * 1024;
/** Less room than this left in a region, and reads move to the other one. */
const MIN_READ_BYTES = 128 * 1024;
/** Where a read lands when both regions are busy (copied out at once). */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Where a connection's socket reads go: two regions, filled one after the other, so that
 * consecutive reads lie side by side and reach the disk as one write of about a megabyte
 * (a write per read would be 5,000 writes for 512 MiB). A sink that writes asynchronously
 * writes one region while reads fill the other; a TLS socket may still hand on a read
 * after a pause, and it lands there too. Bytes handed on are views, never copies, except
 * for a read that had to land in the scratch buffer because neither region had room.
 */
export class ReadRegions {
  private readonly regions = [Buffer.allocUnsafe(REGION_BYTES), Buffer.allocUnsafe(REGION_BYTES)];
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private filling = 0;
  private fill = 0;

  /** The buffer for the socket's next read (node's `onread.buffer`, asked after each read). */
  next(): Buffer {
    const region = this.regions[this.filling] as Buffer;
    return this.full ? this.scratch : region.subarray(this.fill);
  }

  /**
   * The bytes of a read that landed in `buffer` (one that next() gave): a view of its region,
   * or a copy of the scratch buffer, which the next read may overwrite.
   */
  take(buffer: Uint8Array, length: number): Buffer {
    if (buffer === this.scratch) return Buffer.from(this.scratch.subarray(0, length));
    const region = this.regions.find((r) => r.buffer === buffer.buffer);
    if (!region) throw new Error("a read landed outside the connection's buffers");
    const offset = buffer.byteOffset - region.byteOffset;
    if (region === this.regions[this.filling]) this.fill = offset + length;
    return region.subarray(offset, offset + length);
  }

  /** Whether the filling region is out of room: its bytes must go before more reads land. */
  get full(): boolean {
    return REGION_BYTES - this.fill < MIN_READ_BYTES;
  }

  /**
   * Moves reads to the other region, from its start. The caller has made sure that no bytes
   * of that region are still waiting to be written.
   */
  switchRegion(): void {
    this.filling = 1 - this.filling;
    this.fill = 0;
  }
}
