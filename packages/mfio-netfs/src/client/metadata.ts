import type { Metadata } from '@mfio/rt';
import type { WireMetadata } from '../protocol/messages.js';

/** A wire METADATA as the runtime's `Metadata` (new Date objects each call). */
export function toMetadata(m: WireMetadata): Metadata {
  const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
  return {
    len: m.len,
    modified: date(m.modified),
    accessed: date(m.accessed),
    created: date(m.created),
    permissions: { mode: m.mode, readOnly: (m.mode & 0o222) === 0 },
    type: m.type,
  };
}
