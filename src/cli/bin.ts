// The `mnlint` command. kbuild runs `CHECK` once per file it compiles: for a
// file that names no notifier API, `mnlint kbuild` returns after reading it,
// before the analyzer (dist/cli.js and its chunks) loads.
import { kbuildNeedsAnalysis } from '../input/kbuild.js';

const argv = process.argv.slice(2);
// `kbuild --help` is mnlint's own: main prints the usage
const help = argv[1] === '--help' || argv[1] === '-h';
if (argv[0] !== 'kbuild' || help || kbuildNeedsAnalysis(argv.slice(1), process.cwd())) await import('./main.js');
