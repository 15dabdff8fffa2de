// The shortest useful program: the default runtime (the best backend here, built on first use)
// and `await using`, which closes the file at the end of the scope. Run: pnpm example:quick [file]
import { open } from '@mfio/rt';

await using file = await open(process.argv[2] ?? 'package.json');
const [head, { len }] = await Promise.all([file.readAt(0, 16), file.metadata()]);
console.log(`${len} bytes, starting with ${JSON.stringify(head.toString())}`);
