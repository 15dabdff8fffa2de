/** A byte count as people write it: `1 B`, `4 KiB`, `64 KiB`, `1 MiB`. */
export function formatSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}
