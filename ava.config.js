// AVA runs the compiled tests. AVA_BUILD lets a developer point it at another
// build folder (for example a partial build of one module) without touching
// the default, which is what `npm test` and CI use.
const build = process.env.AVA_BUILD || 'build';
export default {
  files: [`${build}/test/**/*.test.js`],
  timeout: '120s',
  workerThreads: false,
  // Memory-bound tests (e.g. consent over hours of virtual time) force a GC
  // before measuring the heap.
  nodeArguments: ['--expose-gc'],
};
