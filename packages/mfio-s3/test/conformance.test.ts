import { conformanceSuite, type ConformanceSubject, type Fixture } from '@mfio/rt-conformance';
import { bucketName, connect, createBucket, putObject, sdkClient, testCluster, unavailableReason } from './support/cluster-env.js';

/**
 * The runtime's one conformance suite on S3Fs against the cluster's radosgw: each setup gets a
 * fresh bucket; the fixture is put with the AWS SDK (not the API under test), directories as
 * empty `dir/` markers. Large files: MFIO_TEST_LARGE_MB MiB each (default 4), two of them.
 */
const largeMb = Number(process.env.MFIO_TEST_LARGE_MB ?? 4);
const largeFiles = Number(process.env.MFIO_TEST_LARGE_FILES ?? 2);

/** Reasons shared by the cases S3 cannot run. */
const READ_WRITE = 'an S3 object is opened for reading or for writing, not both (the case reads back through its write handle)';
const IN_PLACE = 'S3 objects cannot be written in place, appended to or resized: a write handle makes a new object front to back';

/**
 * The cases S3 cannot do, each with its reason. What they check that S3 can do is tested on S3
 * terms in this package: close and use after close on read handles in errors.test.ts ('errors
 * and lifecycle'), writes front to back in writes.test.ts, 10,000 seeded reads in integrity.test.ts.
 */
const SKIP: Record<string, string> = {
  'truncate empties the file; append writes at the end whatever the position': IN_PLACE,
  'writes past the end extend the file, with zeros in the gap': IN_PLACE,
  'a write or setLen 1 TiB out either makes a sparse file or fails with EFBIG (and never throws)': IN_PLACE,
  'setLen truncates and extends with zeros; sync succeeds; metadata follows': IN_PLACE,
  'the modified time advances with a write': IN_PLACE,
  'use after close rejects with EBADF; closing twice is fine': READ_WRITE,
  'many requests in flight on one handle land and read back in place': READ_WRITE,
  'a file handle keeps working after its name is renamed': READ_WRITE,
  'data integrity: 10000 seeded random reads and writes checked byte for byte against a model': `${READ_WRITE}; integrity.test.ts reads 10,000 seeded ranges instead`,
  'rt.close with a batch in flight settles the batch': READ_WRITE,
  'datasync, many sync and datasync calls at once among writes, and writeMany, all land': READ_WRITE,
  'rt.close with a handle close in flight: a file close started by the user settles first': READ_WRITE,
  'copy and rename of a file onto itself leave it as it was': 'S3 has no hard links (the case makes one; link fails with EPERM)',
  'hardLink: both names share the content; EEXIST; ENOENT; EPERM for a directory': 'S3 has no hard links (link fails with EPERM)',
  'setPermissions: the mode and the read-only flag show in metadata; ENOENT': 'S3 objects have no permission bits (chmod fails with EPERM)',
};

const cluster = testCluster();
if (cluster === null) {
  conformanceSuite({ name: 's3', unavailable: unavailableReason() });
} else {
  conformanceSuite(
    {
      name: 's3 (Ceph RGW)',
      async setup(): Promise<ConformanceSubject> {
        const client = sdkClient(cluster);
        const bucket = bucketName('conf');
        await createBucket(client, bucket);
        const fs = await connect(cluster, bucket);
        return {
          fs,
          async writeFixture(dir: string, fixture: Fixture): Promise<void> {
            for (const d of fixture.dirs) await putObject(client, bucket, `${dir}/${d}/`, Buffer.alloc(0));
            await Promise.all(fixture.files.map((file) => putObject(client, bucket, `${dir}/${file.path}`, file.data)));
          },
          async close(): Promise<void> {
            try {
              await fs.close();
            } finally {
              client.destroy();
            }
          },
        };
      },
    },
    { tcp: 'S3Fs is a filesystem only', symlinks: 'S3 has no symbolic links', skip: SKIP, largeMb, largeFiles },
  );
}
