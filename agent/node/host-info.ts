/**
 * Facts about the host the agent runs on (systeminformation): CPU count, memory, the data
 * directory's file system, OS, kernel, machine identity and addresses. The OS boundary of node
 * registration; everything else about the Node object is pure.
 */
import os from 'node:os';
import si from 'systeminformation';

export interface HostInfo {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  memoryAvailableBytes: number;
  /** Size and free space of the file system holding the agent's data dir. */
  diskBytes: number;
  diskAvailableBytes: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
  addresses: string[];
}

/** Interfaces that belong to containers or bridges, not to the host's own network. */
const VIRTUAL = /^(lo|docker\d*|tug\d*|cni\d*|veth|br-|virbr|flannel|vxlan)/;

/** The host's own IPv4 addresses, most useful first (interfaces of containers and bridges left out). */
export function hostAddresses(): string[] {
  return Object.entries(os.networkInterfaces())
    .filter(([name]) => !VIRTUAL.test(name))
    .flatMap(([, addrs]) => addrs ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

export async function readHostInfo(dataDir: string): Promise<HostInfo> {
  const [mem, osInfo, fs, uuid] = await Promise.all([si.mem(), si.osInfo(), si.fsSize(), si.uuid()]);
  // The file system whose mount point is the longest prefix of the data dir holds it.
  const disk = fs.filter((f) => dataDir.startsWith(f.mount)).sort((a, b) => b.mount.length - a.mount.length)[0] ?? fs[0];
  let bootID = '';
  try {
    bootID = (await import('node:fs')).readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    bootID = '';
  }
  return {
    hostname: os.hostname().toLowerCase(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: mem.total,
    memoryAvailableBytes: mem.available,
    diskBytes: disk?.size ?? 0,
    diskAvailableBytes: disk?.available ?? 0,
    kernelVersion: osInfo.kernel,
    osImage: `${osInfo.distro} ${osInfo.release}${osInfo.codename ? ` (${osInfo.codename})` : ''}`,
    architecture: os.arch() === 'x64' ? 'amd64' : os.arch() === 'arm64' ? 'arm64' : os.arch(),
    machineID: uuid.os || osInfo.serial || '',
    bootID,
    addresses: hostAddresses(),
  };
}
