/**
 * NodePorts (filter): the host ports a pod asks for must be free on the node (same protocol and
 * port on the same host IP, or on 0.0.0.0 on either side).
 */
import { rejection } from '../fit-error.js';
import type { FilterPlugin } from '../framework.js';

const REJECTED = rejection("node(s) didn't have free ports for the requested pod ports");

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  events: ['NodeAdd', 'AssignedPodDelete'],
  preFilter: (pod) => pod.hostPorts.length > 0,
  filter: (pod, node) => {
    for (const p of pod.hostPorts) if (node.portInUse(p.ip, p.protocol, p.port)) return REJECTED;
    return undefined;
  },
};
