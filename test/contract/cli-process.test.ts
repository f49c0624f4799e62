import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { samplePath } from '../fixtures/fixtures.js';
import { dryRunEnv, type ProcessResult, REPO_ROOT, runQuotecast } from '../helpers/quotecast-process.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import { createTempDir } from '../helpers/temp-dir.js';

/**
 * The CLI contract through a real process: what the in-process tests (test/integration/cli-split
 * and the others) cannot show. The exit code as the shell sees it, standard input as a real pipe,
 * and `npm run --silent quotecast` with nothing but the CLI's own output.
 */

const TIMEOUT_MS = 60_000;
const env = dryRunEnv();
const split = (platform: string, mode: string) =>
  ['split', '--platform', platform, '--mode', mode, '--format', 'json'] as const;

/** `npm run --silent quotecast -- ARGS` from the repository root. */
function viaNpm(args: readonly string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'quotecast', '--', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe.concurrent('quotecast as a process', { timeout: TIMEOUT_MS }, () => {
  it('npm run --silent quotecast prints exactly what the CLI prints, and nothing else', async () => {
    const args = [...split('telegram', 'quotes'), samplePath];
    const [npm, direct] = await Promise.all([viaNpm(args), runCliInProcess(args, { env, cwd: REPO_ROOT })]);
    expect(npm.code, npm.stderr).toBe(0);
    expect(direct.code, direct.stderr).toBe(0);
    expect(JSON.parse(npm.stdout)).toEqual(JSON.parse(direct.stdout));
    expect(npm.stderr).toBe('');
  });

  it('reads standard input through a real pipe (FILE omitted or "-"), with the same result as the file', async () => {
    const input = readFileSync(samplePath, 'utf8');
    const args = split('twitter', 'thread');
    const [omitted, dash, fromFile] = await Promise.all([
      runQuotecast(args, { env, cwd: REPO_ROOT, input }),
      runQuotecast(['split', '-', ...args.slice(1)], { env, cwd: REPO_ROOT, input }),
      runCliInProcess([...args, samplePath], { env, cwd: REPO_ROOT }),
    ]);
    for (const run of [omitted, dash]) {
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(fromFile.stdout));
    }
  });

  it('exit codes as the shell sees them: 2 for bad input, 2 for a bad setting, 0 for help', async () => {
    const dir = createTempDir('quotecast-contract-');
    try {
      const empty = dir.file('empty.txt');
      const broken = dir.file('broken.yaml');
      writeFileSync(empty, '');
      writeFileSync(broken, 'timezone: Mars/Olympus\n');
      const [badInput, badSetting, help, unknown] = await Promise.all([
        runQuotecast(['split', empty, '--platform', 'twitter'], { env, cwd: REPO_ROOT }),
        runQuotecast(['split', samplePath, '--platform', 'twitter'], {
          env: { ...env, QUOTECAST_CONFIG: broken },
          cwd: REPO_ROOT,
        }),
        runQuotecast(['help'], { env, cwd: REPO_ROOT }),
        runQuotecast(['frobnicate'], { env, cwd: REPO_ROOT }),
      ]);
      expect(badInput).toMatchObject({ code: 2, signal: null, stdout: '' });
      expect(badInput.stderr).toMatch(/^quotecast split: .*is empty.*\n$/);
      expect(badSetting).toMatchObject({ code: 2, stdout: '' });
      expect(badSetting.stderr).toContain('timezone:');
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toContain('exit codes: 0 success, 1 failure while working, 2 bad input');
      expect(unknown).toMatchObject({ code: 2, stdout: '' });
      expect(unknown.stderr).toContain('unknown command "frobnicate"');
    } finally {
      dir.remove();
    }
  });
});
