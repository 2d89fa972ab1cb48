import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import {
  defaultDefinitionDirs,
  formatFinding,
  GRAPH_FORMATS,
  loadCatalog,
  loadDefinitionFile,
  renderGraph,
  type GraphFormat,
  type LoadResult,
} from '../../dsl';
import { action } from '../action';
import { CliError } from '../errors';

interface GraphOptions {
  format: GraphFormat;
  definitions?: string;
}

/** `beadflow graph <file|id> [--format mermaid|dot]`: the DAG on stdout, findings on stderr. */
export function register(program: Command): void {
  program
    .command('graph')
    .description('print a definition as a Mermaid or Graphviz DOT graph')
    .argument('<file>', 'a definition file, or the id of a known definition (e.g. bug)')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('mermaid'))
    .option('--definitions <dir>', 'extra directory of definitions, for looking up an id (also BEADFLOW_DEFINITIONS)')
    .action(
      action((file: string, options: GraphOptions) => {
        const result = load(file, options.definitions);
        for (const f of result.findings) process.stderr.write(`${formatFinding(f)}\n`);
        if (!result.definition) {
          throw new CliError(`cannot draw ${file}: the definition has errors`, {
            hint: 'fix the errors listed above (`beadflow validate` checks a file)',
          });
        }
        process.stdout.write(renderGraph(result.definition, options.format));
      }),
    );
}

function load(file: string, definitionsDir?: string): LoadResult {
  if (existsSync(file) || /[\\/]|\.ya?ml$/i.test(file)) return loadDefinitionFile(file);
  const catalog = loadCatalog(defaultDefinitionDirs(definitionsDir));
  const definition = catalog.definitions.get(file) ?? [...catalog.definitions.values()].find((d) => d.workflowType === file);
  if (!definition) {
    const known = [...catalog.definitions.keys()].join(', ');
    throw new CliError(`no file and no definition named "${file}"`, { hint: `pass a path to a .yaml file, or one of: ${known}` });
  }
  return { definition, findings: [] };
}
