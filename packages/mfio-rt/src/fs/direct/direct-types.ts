/**
 * What direct I/O on a file needs: memory addresses and file positions/lengths that are
 * multiples of these. `source` says where they came from: the kernel's `statx`
 * (`STATX_DIOALIGN`, Linux 6.1+ on ext4, xfs, btrfs...), a probe read at open (filesystems that
 * take O_DIRECT without reporting it, such as tmpfs), or the 4 KiB default that fits every
 * device (an empty file cannot be probed; Windows reports nothing).
 */
export interface DirectAlignment {
  readonly memory: number;
  readonly offset: number;
  readonly source: 'statx' | 'probe' | 'default';
}

/** A direct handle's alignment and what it moved: requested bytes against the device's. */
export interface DirectIoStats extends DirectAlignment {
  /** Bytes the caller asked to read. */
  readonly readRequested: number;
  /** Bytes the device read for them, whole blocks (and the blocks unaligned writes patch). */
  readonly readFromDevice: number;
  readonly writeRequested: number;
  readonly writtenToDevice: number;
  /** Requests (or readMany runs) served through bounce buffers. */
  readonly bounced: number;
  /** Requests that went to the device as they were. */
  readonly straight: number;
}
