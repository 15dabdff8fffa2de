// A CommonJS consumer of @mfio/core (run by node from commonjs.test.ts): require() resolves to
// the CommonJS build, works on its own, and mixes with the ES module build loaded in the same
// process (the dual-package hazard): errors of either are `instanceof` the other's MfioError,
// and a file made by one is read by the other's functions. Prints one JSON line of findings.
'use strict';
const core = require('@mfio/core');

async function main() {
  const file = new core.MemoryFile();
  await file.writeAllAt(0, 'hello from CommonJS');
  const word = (await core.readAt(file, 6, 4)).toString();
  const many = await core.readMany(file, [
    [0, 5],
    [11, 8],
  ]);
  const eof = await core.readExactAt(file, 15, 10).catch((error) => error);

  const esm = await import('@mfio/core');
  const esmError = await esm.readExactAt(file, 15, 10).catch((error) => error);
  console.log(
    JSON.stringify({
      resolved: require.resolve('@mfio/core'),
      word,
      many: [...many].map(String),
      eofCode: eof.code,
      twoBuilds: esm.MfioError !== core.MfioError,
      cjsErrorIsEsm: eof instanceof esm.MfioError,
      esmErrorIsCjs: esmError instanceof core.MfioError,
      esmReadsCjsFile: (await esm.readAt(file, 0, 5)).toString(),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
