import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python that has Debian's `python3-torch` (the first `python3` on PATH may be another install). */
export const PYTHON = '/usr/bin/python3';

/**
 * Why the PyTorch peer cannot run (undefined when it can). Installs `python3-torch` and OpenBLAS from Debian when
 * missing (`BENCH_TORCH=0` skips the peer).
 */
export function torchAvailable(): string | undefined {
  if (process.env.BENCH_TORCH === '0') return 'disabled by BENCH_TORCH=0';
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (probe()) {
    // Debian's python3-torch runs on whatever libblas.so.3 is installed: the reference (netlib) BLAS is ~10x slower
    // than OpenBLAS, which would make a peer far from its best. Install OpenBLAS when it is missing.
    if (!execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('openblas')) {
      console.error('OpenBLAS missing: trying `apt-get install -y libopenblas0-openmp` ...');
      try {
        execFileSync('apt-get', ['install', '-y', 'libopenblas0-openmp'], { stdio: 'ignore' });
      } catch {
        console.error('apt-get install libopenblas0-openmp failed: the peer runs the reference BLAS.');
      }
    }
    return undefined;
  }
  console.error('PyTorch missing: trying `apt-get install -y python3-torch libopenblas0-openmp` ...');
  try {
    execFileSync('apt-get', ['install', '-y', 'python3-torch', 'libopenblas0-openmp'], { stdio: 'ignore' });
  } catch {
    return 'python3-torch is not installed and apt-get install failed';
  }
  return probe() ? undefined : 'python3-torch does not import';
}

/**
 * The peer's environment: ours without `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE`, which some machines set and which
 * pin OpenBLAS (Debian's PyTorch uses it) to slower kernels — a peer must run at its best. Only the peer's process;
 * never tests or CI.
 */
export function peerEnv(): NodeJS.ProcessEnv {
  const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
  return env;
}

/** The peer's PyTorch version. */
export function torchVersion(): string {
  return spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
}
