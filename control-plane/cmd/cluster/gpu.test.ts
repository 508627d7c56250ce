import { describe, expect, it } from 'vitest';
import { deviceArgs, nvidiaDevicePaths } from './gpu.js';

describe('GPU passthrough arguments', () => {
  it('passes the device nodes of an NVIDIA host (as /dev of an H200 machine lists them)', () => {
    const dev = ['console', 'null', 'nvidia-caps', 'nvidia-uvm', 'nvidia-uvm-tools', 'nvidia0', 'nvidiactl', 'pts', 'zero'];
    expect(nvidiaDevicePaths(dev)).toEqual(['/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia0', '/dev/nvidiactl']);
  });

  it('passes the NVIDIA device nodes of /dev and nothing else', () => {
    const dev = ['null', 'nvidia1', 'nvidia0', 'nvidiactl', 'nvidia-uvm', 'nvidia-uvm-tools', 'nvidia-modeset', 'nvidia-caps', 'nvme0', 'tty'];
    const devices = nvidiaDevicePaths(dev);
    expect(devices).toEqual(['/dev/nvidia-modeset', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia0', '/dev/nvidia1', '/dev/nvidiactl']);
    expect(deviceArgs(devices.slice(3, 5))).toEqual(['--device', '/dev/nvidia0:/dev/nvidia0:rwm', '--device', '/dev/nvidia1:/dev/nvidia1:rwm']);
  });
  it('passes nothing on a host without GPUs', () => {
    expect(deviceArgs(nvidiaDevicePaths(['null', 'zero']))).toEqual([]);
  });
});
