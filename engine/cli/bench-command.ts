/** `ria bench`: the benchmark suites (bench/), results under results/. */
import { type Command, wantsHelp } from './command.js';

export const benchCommand: Command = {
  summary: 'run the benchmarks (results/ gets JSON and a README)',
  async run(args) {
    if (wantsHelp(args)) {
      process.stdout.write(
        'usage: ria bench [--quick] [suite...]\n\nsuites: producer-micro, producer-throughput, decode-micro, state-micro, source-consume, pool-scaling, engine-fixed-rate, engine-catch-up (all by default)\n',
      );
      return 0;
    }
    // bench/ sits beside engine/ in dist/ as in the repository.
    const { runBenchmarks } = await import('../../bench/run.js');
    return runBenchmarks(args);
  },
};
