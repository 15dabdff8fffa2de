import { DriverFs } from '@mfio/rt';
import { Feature } from '../protocol/constants.js';
import { ClientConnection, type NetFsConnectOptions } from './client-connection.js';
import { NetFsDriver } from './netfs-driver.js';

/**
 * A remote filesystem served by `mfio-netfs-server`: an `Fs` whose files are `PacketIo`, so
 * `readAt`, `writeAllAt`, `readMany`, `readToEnd`, streams and the rest work on them. Many
 * requests share one connection; read fragments are written straight into your buffers.
 *
 * Paths are POSIX; `/` (the current directory) is the served root. If the connection ends,
 * everything in flight rejects with ECONNRESET and so does every later call.
 * @example
 * const fs = await NetFs.connect({ host: '127.0.0.1', port: 4446, token: 'secret' });
 * const file = await fs.open('data.bin');
 * const head = await file.readAt(0, 512);
 * await fs.close();
 */
export class NetFs extends DriverFs {
  readonly #conn: ClientConnection;

  private constructor(conn: ClientConnection) {
    super(new NetFsDriver(conn));
    this.#conn = conn;
  }

  /**
   * Connect and authenticate.
   * @throws {MfioError} ECONNREFUSED (nothing listens), EACCES (wrong token, or a server that
   * does not know it), EPROTO (not a netfs server of this version), ETIMEDOUT.
   */
  static async connect(options: NetFsConnectOptions = {}): Promise<NetFs> {
    return new NetFs(await ClientConnection.open(options));
  }

  /** False once the connection ended (server gone, network error, or {@link close}). */
  get connected(): boolean {
    return this.#conn.alive;
  }

  /** True when the server refuses changes (`--read-only`). */
  get readOnly(): boolean {
    return (this.#conn.features & Feature.READ_ONLY) !== 0;
  }

  /**
   * True when the server stops an aborted read early (CANCEL); otherwise an aborted read's
   * buffer is released only once the server has sent the whole answer.
   */
  get canCancel(): boolean {
    return (this.#conn.features & Feature.CANCEL) !== 0;
  }

  /** Close every handle (releasing it on the server), then the connection. Idempotent. */
  override async close(): Promise<void> {
    await super.close();
    await this.#conn.close();
  }
}
