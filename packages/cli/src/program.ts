import { Command, Option } from 'commander';
import packageJson from '../package.json';
import { architectureHelp, SWEEP_HELP } from './architecture-help.js';
import { BACKEND_NAMES } from './backends.js';
import { trainConfigOptions } from './config-flags.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { commaList, count, nonNegativeInt, positiveInt, seed } from './flags.js';

/** The package's version, from package.json (bundled in at build time). */
export const VERSION: string = packageJson.version;

const BACKENDS = ['auto', ...BACKEND_NAMES];

function backendOption(): Option {
  return new Option(
    '--backend <name>',
    'compute backend; auto prefers a GPU, then the fastest native CPU backend (onnxruntime, tfjs, cpu), and prints why it skipped any',
  )
    .choices(BACKENDS)
    .default('auto');
}

function hookpointOption(): Option {
  return new Option(
    '--hookpoint <name>',
    'in a run folder with one SAE per hookpoint (sparsify: layers.N), the one to use',
  );
}

/**
 * The `saekit` command tree. Each action loads its implementation lazily so `--help` and
 * flag errors are instant and a missing optional backend never affects other commands.
 */
export function buildProgram(): Command {
  const program = new Command('saekit')
    .description('Train, evaluate, inspect, convert and benchmark sparse autoencoders (SAEs).')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    // One line per error, in the same "saekit: error: ..." form as every other failure.
    .configureOutput({
      outputError: (message, write) =>
        write(`saekit: ${message.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`);

  const train = program
    .command('train')
    .description(
      'train an SAE (topk, batchtopk, matryoshka, jumprelu, standard) or a transcoder (--target-tensor), or several from one stream (--sweep), on activation shards or synthetic data',
    )
    .addOption(
      new Option(
        '--data <spec>',
        'activation shards: a directory, glob or file (.safetensors / .npy)',
      ).conflicts('synthetic'),
    )
    .addOption(
      new Option('--synthetic', 'train on seeded synthetic activations with a known dictionary'),
    )
    .addOption(
      new Option(
        '--synthetic-features <n>',
        'true dictionary size of the synthetic generator (default 4 × d-in)',
      ).argParser(positiveInt),
    )
    .addOption(
      new Option('--synthetic-active <n>', 'mean true features active per synthetic token')
        .argParser(positiveInt)
        .default(4),
    )
    .requiredOption(
      '--out <dir>',
      'output folder (SAELens layout + metrics.jsonl + training state)',
    );
  // Every training setting, its help, default and check, from the library's config schema.
  for (const option of trainConfigOptions()) {
    train.addOption(option.long === '--steps' ? option.conflicts('tokens') : option);
  }
  train
    .addOption(backendOption())
    .addOption(
      new Option('--shuffle-buffer <n>', 'tokens in the shuffle buffer').argParser(positiveInt),
    )
    .addOption(
      new Option(
        '--sweep <file>',
        'train several SAEs from one activation stream: a JSON list of members, each config values that override the flags (e.g. [{"k": 16}, {"k": 32, "name": "k32"}]); each goes to --out/<name>',
      ),
    )
    .addOption(new Option('--resume', 'continue the run (or sweep) saved in --out'))
    .addOption(new Option('--force', 'start a fresh run even if --out already holds one'))
    .addOption(
      new Option(
        '--allow-backend-change',
        'resume on another backend than the run was trained on (the result then differs from an uninterrupted run)',
      ),
    )
    .addOption(
      new Option('--model-name <name>', 'model the activations came from (cfg.json metadata)'),
    )
    .addOption(
      new Option('--hook-name <name>', 'hook point the activations came from (cfg.json metadata)'),
    )
    .addOption(new Option('--no-progress', 'plain log lines even on a terminal'))
    .addHelpText(
      'after',
      `
Examples:
  saekit train --synthetic --d-in 64 --d-sae 512 --k 8 --steps 2000 --batch-size 1024 --out runs/synth
  saekit train --data 'acts/*.safetensors' --d-sae 16384 --k 32 --tokens 50M --out runs/l6
  saekit train --data 'acts/*.safetensors' --target-tensor mlp_out --d-sae 16384 --k 32 --out runs/tc6
                                               (a transcoder: predicts each shard's mlp_out from its activations)
  saekit train --out runs/l6 --resume          (continue after Ctrl-C)
  saekit train --out runs/l6 --resume --steps 20000   (extend a run: the lr climbs back
                                                       from where it was over --warmup-steps)

Ctrl-C saves a checkpoint and exits with code 130; a second Ctrl-C exits at once.

${architectureHelp()}

${SWEEP_HELP}`,
    )
    .action(async (_opts, cmd: Command) => {
      const { runTrain } = await import('./commands/train.js');
      await runTrain(cmd.opts(), (name) => cmd.getOptionValueSource(name) === 'cli');
    });

  program
    .command('eval')
    .description('evaluate an SAE on held-out shards: FVU, MSE, L0, dead / dense fractions')
    .requiredOption('--sae <path>', 'SAE folder or file: saekit/SAELens, sparsify or Gemma Scope')
    .requiredOption('--data <spec>', 'activation shards: a directory, glob or file')
    .addOption(
      new Option('--batch-size <n>', 'tokens per batch').argParser(positiveInt).default(4096),
    )
    .addOption(new Option('--max-tokens <n>', 'stop after this many tokens').argParser(count))
    .addOption(backendOption())
    .addOption(new Option('--json', 'print one JSON object instead of a table'))
    .addOption(hookpointOption())
    .addOption(
      new Option(
        '--target-tensor <name>',
        'a transcoder: the shards’ tensor it predicts, its FVU measured against it (default: the one it was trained on)',
      ),
    )
    .action(async (_opts, cmd: Command) => {
      const { runEval } = await import('./commands/eval.js');
      await runEval(cmd.opts());
    });

  program
    .command('inspect')
    .description(
      'write a self-contained HTML report: curves, firing frequencies, decoder, top contexts',
    )
    .requiredOption('--sae <path>', 'SAE folder (a saekit run folder adds training curves) or file')
    .addOption(new Option('--out <file>', 'report path (default <sae folder>/report.html)'))
    .addOption(
      new Option(
        '--metrics <file>',
        'metrics.jsonl for the training curves (default: next to the SAE)',
      ),
    )
    .addOption(
      new Option('--data <spec>', 'shards to find each top feature’s most-activating contexts'),
    )
    .addOption(
      new Option(
        '--tokenizer <file>',
        'tokenizer to show contexts as text (needs --data): a Hugging Face tokenizer.json, or a llama2.c tokenizer.bin / tok512.bin (or a folder holding one)',
      ),
    )
    .addOption(
      new Option(
        '--latents <which>',
        'latents to show: ids (12,400), or frequent (= dense), rare, random: --features of them',
      ).default('frequent'),
    )
    .addOption(
      new Option('--features <n>', 'how many latents --latents frequent / rare / random shows')
        .argParser(positiveInt)
        .default(16),
    )
    .addOption(new Option('--seed <n>', 'seed of --latents random').argParser(seed).default(0))
    .addOption(
      new Option('--contexts <n>', 'contexts per feature').argParser(positiveInt).default(8),
    )
    .addOption(
      new Option('--window <n>', 'tokens shown on each side of the activating token')
        .argParser(nonNegativeInt)
        .default(12),
    )
    .addOption(
      new Option('--max-tokens <n>', 'tokens of --data to examine')
        .argParser(count)
        .default(200_000),
    )
    .addOption(
      new Option('--cosine-sample <n>', 'latents sampled for the cosine-similarity summary')
        .argParser(positiveInt)
        .default(1024),
    )
    .addOption(backendOption())
    .addOption(hookpointOption())
    .action(async (_opts, cmd: Command) => {
      const { runInspect } = await import('./commands/inspect.js');
      await runInspect(cmd.opts());
    });

  program
    .command('convert')
    .description('convert an SAE between the saekit/SAELens, sparsify and Gemma Scope formats')
    .requiredOption('--from <path>', 'SAE folder or file in any supported format')
    .requiredOption('--to <dir>', 'output folder')
    .addOption(
      new Option('--format <name>', 'output format (saelens is saekit’s own)')
        .choices(['saelens', 'sparsify', 'gemma-scope'])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--force', 'overwrite an existing SAE in --to'))
    .addOption(
      new Option('--dtype <name>', 'on-disk float precision of saelens / sparsify output')
        .choices(['float32', 'float16', 'bfloat16'])
        .default('float32'),
    )
    .addOption(hookpointOption())
    .action(async (_opts, cmd: Command) => {
      const { runConvert } = await import('./commands/convert.js');
      await runConvert(cmd.opts());
    });

  program
    .command('push')
    .description(
      'upload an SAE folder to the Hugging Face Hub with a model card (config, eval numbers)',
    )
    .requiredOption(
      '--sae <dir>',
      'SAE folder (a saekit run folder, SAELens, sparsify or Gemma Scope files)',
    )
    .requiredOption(
      '--to <hf://org/repo[/path]>',
      'where on the Hub: hf://ORG/REPO[@BRANCH][/PATH] (the repo must exist)',
    )
    .addOption(
      new Option(
        '--data <spec>',
        'held-out shards to evaluate for the model card (default: the last training record)',
      ),
    )
    .addOption(
      new Option('--batch-size <n>', 'tokens per evaluation batch')
        .argParser(positiveInt)
        .default(4096),
    )
    .addOption(backendOption())
    .addHelpText(
      'after',
      `
Needs HF_TOKEN with write access; HF_ENDPOINT changes the Hub's address.
Any --sae of the other commands also takes hf://ORG/REPO[@REVISION]/PATH (SAELens, sparsify
or Gemma Scope files), downloaded once into the Hub cache (HF_HUB_CACHE, HF_HOME);
HF_HUB_OFFLINE=1 reads the cache only.`,
    )
    .action(async (_opts, cmd: Command) => {
      const { runPush } = await import('./commands/push.js');
      await runPush(cmd.opts());
    });

  program
    .command('bench')
    .description(
      'benchmark a training step on each backend × config: tokens/s, step / floor, memory',
    )
    .addOption(
      new Option(
        '--backends <list>',
        'comma-separated backends (default: every one that works here)',
      ).argParser(commaList),
    )
    .addOption(
      new Option(
        '--config <d_in,d_sae,k,batch...>',
        'shapes to time: small, medium, target (768,16384,32,4096) or d_in,d_sae,k,batch (default small medium)',
      ),
    )
    .addOption(new Option('--steps <n>', 'timed steps per cell').argParser(positiveInt).default(5))
    .addOption(
      new Option('--warmup <n>', 'untimed steps first').argParser(nonNegativeInt).default(2),
    )
    .addOption(new Option('--json [file]', 'write JSON results (to stdout when no file is given)'))
    .action(async (_opts, cmd: Command) => {
      const { runBench } = await import('./commands/bench.js');
      await runBench(cmd.opts());
    });

  program
    .command('synth')
    .description(
      'write seeded synthetic activation shards (with token and sequence ids) for tests and demos',
    )
    .requiredOption('--out <dir>', 'shard folder')
    .addOption(new Option('--d-in <n>', 'activation width').argParser(positiveInt).default(64))
    .addOption(new Option('--tokens <n>', 'rows to write').argParser(count).default(65_536))
    .addOption(
      new Option('--rows-per-shard <n>', 'rows per shard file')
        .argParser(positiveInt)
        .default(16_384),
    )
    .addOption(
      new Option('--features <n>', 'true dictionary size (default 4 × d-in)').argParser(
        positiveInt,
      ),
    )
    .addOption(
      new Option('--active <n>', 'mean true features active per token')
        .argParser(positiveInt)
        .default(4),
    )
    .addOption(
      new Option('--dtype <name>', 'on-disk dtype').choices(['f32', 'f16', 'bf16']).default('f32'),
    )
    .addOption(
      new Option('--seq-len <n>', 'tokens per sequence (sequence_ids)')
        .argParser(positiveInt)
        .default(64),
    )
    .addOption(new Option('--seed <n>', 'generator seed').argParser(seed).default(0))
    .addOption(
      new Option('--held-out <dir>', 'also write held-out shards of the same distribution here'),
    )
    .addOption(
      new Option('--held-out-tokens <n>', 'rows of held-out shards')
        .argParser(count)
        .default(16_384),
    )
    .addOption(
      new Option(
        '--target-tensor <name>',
        'transcoder data: also write each token’s target (its features through a second dictionary) as this tensor',
      ),
    )
    .action(async (_opts, cmd: Command) => {
      const { runSynth } = await import('./commands/synth.js');
      await runSynth(cmd.opts());
    });

  program
    .command('demo')
    .description('the main job: synthetic shards → train → eval → HTML report, no download needed')
    .addOption(
      new Option('--out <dir>', 'folder for shards, SAE and report').default('saekit-demo'),
    )
    .addOption(backendOption())
    .addOption(
      new Option('--steps <n>', 'training steps of 1024 tokens')
        .argParser(positiveInt)
        .default(1000),
    )
    .addOption(new Option('--d-in <n>', 'activation width').argParser(positiveInt).default(64))
    .addOption(new Option('--seed <n>', 'seed').argParser(seed).default(0))
    .action(async (_opts, cmd: Command) => {
      const { runDemo } = await import('./commands/demo.js');
      await runDemo(cmd.opts());
    });

  return program;
}
