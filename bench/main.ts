/** Entry of `npm run bench` (and of `ria bench`, which runs this file as a child process). */
import { runBenchmarks } from './run.js';

process.exitCode = await runBenchmarks(process.argv.slice(2));
