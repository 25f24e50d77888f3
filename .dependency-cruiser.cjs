/**
 * The layout's import rules, checked in CI (`npm run lint:deps`). Imports point downstream only:
 *   cli → engine.ts → the one loop and the roles (loop/, scale/counter.ts) → stages (source, pool,
 *   flusher, window, checkpoint, sink, scale, metrics, dashboard) → config, errors, shared.
 * The pool worker imports only engine/shared (it runs in a thread of its own), the runtime never
 * imports the benchmarks or the tests; only the CLI starts an engine, and only engine.ts picks a role.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood one after the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-only-from-cli',
      severity: 'error',
      comment: 'engine.ts is the top: only the CLI (and tests) start an engine.',
      from: { path: '^engine/', pathNot: ['^engine/cli/', '\\.test\\.ts$'] },
      to: { path: '^engine/engine\\.ts$' },
    },
    {
      name: 'roles-only-from-engine',
      severity: 'error',
      comment: 'engine.ts picks the role; nothing else builds one.',
      from: { path: '^engine/', pathNot: ['^engine/engine\\.ts$', '\\.test\\.ts$'] },
      to: { path: ['^engine/scale/counter\\.ts$', '^engine/loop/(pool-input|role-loop)\\.ts$'] },
    },
    {
      name: 'base-stays-at-the-bottom',
      severity: 'error',
      comment: 'config, errors and shared are used by every stage and use none.',
      from: { path: '^engine/(config|errors|shared)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^engine/',
        pathNot: ['^engine/(config|errors|shared)/'],
      },
    },
    {
      name: 'pool-worker-imports-only-shared',
      severity: 'error',
      comment: 'The worker runs in its own thread: it loads the decode and message modules only.',
      from: { path: '^engine/pool/worker\\.ts$' },
      to: { path: '^engine/', pathNot: '^engine/shared/' },
    },
    {
      name: 'flusher-thread-apart-from-main',
      severity: 'error',
      comment: 'The flusher thread does not load the main thread\'s source, pool or dashboard.',
      from: { path: '^engine/(flusher|window|checkpoint|sink)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^engine/(source|pool|dashboard|scale|cli|producer)/' },
    },
    {
      name: 'runtime-without-bench-or-tests',
      severity: 'error',
      comment: 'The production image prunes dev dependencies: the runtime imports no benchmark or test.',
      from: { path: '^(engine|bin)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'runtime-without-dev-dependencies',
      severity: 'error',
      comment: 'Only dependencies of package.json are in the production image.',
      from: { path: '^engine/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
