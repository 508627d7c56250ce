/**
 * GPU passthrough into node containers: when the host has NVIDIA GPUs (device nodes under /dev and
 * nvidia-smi on PATH), their device nodes are given to every node container with `--device`, so
 * the node's own engine can hand them to pods.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const NVIDIA_DEVICE = /^nvidia(\d+|ctl|-uvm|-uvm-tools|-modeset)$/;

/** The NVIDIA device nodes among the entries of /dev, as paths, sorted. */
export function nvidiaDevicePaths(devEntries: string[]): string[] {
  return devEntries.filter((e) => NVIDIA_DEVICE.test(e)).sort().map((e) => `/dev/${e}`);
}

/** `--device` flags passing `devices` through unchanged. */
export function deviceArgs(devices: string[]): string[] {
  return devices.flatMap((d) => ['--device', `${d}:${d}:rwm`]);
}

/** The host's NVIDIA device nodes; none without nvidia-smi (the driver is not usable then). Never rejects. */
export async function detectNvidiaDevices(): Promise<string[]> {
  try {
    await promisify(execFile)('nvidia-smi', ['-L'], { timeout: 10_000 });
    return nvidiaDevicePaths(await readdir('/dev'));
  } catch {
    return [];
  }
}
