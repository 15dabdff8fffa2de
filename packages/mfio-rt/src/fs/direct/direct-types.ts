/**
 * What direct I/O on a file needs: memory addresses and file positions/lengths that are
 * multiples of these. `source` says where they came from: the kernel's `statx`
 * (`STATX_DIOALIGN`, Linux 6.1+ on ext4, xfs, btrfs...), a probe read at open (filesystems that
 * take O_DIRECT without reporting it, such as tmpfs), or the 4 KiB default that fits every
 * device (an empty file cannot be probed; Windows reports nothing).
 */
export interface DirectAlignment {
  /** Buffer addresses must be multiples of this many bytes. */
  readonly memory: number;
  /** File positions and lengths must be multiples of this many bytes. */
  readonly offset: number;
  /** Where the alignment came from (see above). */
  readonly source: 'statx' | 'probe' | 'default';
}

/** A direct handle's alignment and what it moved: requested bytes against the device's. */
export interface DirectIoStats extends DirectAlignment {
  /** Bytes the caller asked to read. */
  readonly readRequested: number;
  /** Bytes the device read for them, whole blocks (and the blocks unaligned writes patch). */
  readonly readFromDevice: number;
  /** Bytes the caller asked to write. */
  readonly writeRequested: number;
  /** Bytes the device wrote for them, whole blocks. */
  readonly writtenToDevice: number;
  /** Requests (or readMany runs) served through bounce buffers. */
  readonly bounced: number;
  /** Requests that went to the device as they were. */
  readonly straight: number;
}
