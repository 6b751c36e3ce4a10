import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * One line naming where a benchmark ran: CPU model and its SIMD flags (as `lscpu` reports them), cores, the 1-minute
 * load when the table was printed, Node and the commit. Every bench table starts with it.
 */
export function machineLine(): string {
  let model = 'unknown CPU';
  let flags: string[] = [];
  let cores = 0;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? model;
    const all = new Set(/^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? []);
    flags = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'amx_tile'].filter((f) => all.has(f));
    cores = (info.match(/^processor\s*:/gm) ?? []).length;
  } catch {
    // Not Linux: leave the CPU unknown.
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    if (dirty.trim()) commit += '+dirty';
  } catch {
    // Not a git checkout.
  }
  return `Machine: ${model}, ${cores} cores, flags ${flags.join(' ') || 'none listed'}; load ${loadavg()[0]!.toFixed(2)}; Node ${process.versions.node}; commit ${commit}.`;
}
