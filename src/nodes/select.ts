/** Which nodes must report: --node names and --node-selector labels against the cluster's nodes. */

export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
}

export interface NodeSelection {
  /** Nodes the DaemonSet runs on and that must report. */
  selected: string[];
  /** Nodes left out, and why (e.g. Windows nodes: the agent is a Linux shell script). */
  skipped: { name: string; why: string }[];
  /** Usage problems (unknown --node names, ...), all of them. */
  problems: string[];
}

export function selectNodes(nodes: NodeFacts[], o: { nodes: string[]; nodeSelector: Record<string, string> }): NodeSelection {
  const problems: string[] = [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const known = nodes.map((n) => n.name).sort();
  for (const wanted of o.nodes) {
    if (!byName.has(wanted)) problems.push(`--node ${wanted}: no such node (the cluster has ${known.length ? known.join(', ') : 'no nodes'})`);
  }
  const matches = (n: NodeFacts) => Object.entries(o.nodeSelector).every(([k, v]) => n.labels[k] === v);
  const candidates = o.nodes.length ? o.nodes.map((name) => byName.get(name)).filter((n): n is NodeFacts => n !== undefined) : nodes;
  const selected: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const n of candidates) {
    if (!matches(n)) {
      if (o.nodes.length) problems.push(`--node ${n.name}: does not match --node-selector ${Object.entries(o.nodeSelector).map(([k, v]) => `${k}=${v}`).join(',')}`);
      continue;
    }
    const os = n.labels['kubernetes.io/os'];
    if (os !== undefined && os !== 'linux') {
      skipped.push({ name: n.name, why: `kubernetes.io/os=${os}: the node agent runs on Linux only` });
      continue;
    }
    selected.push(n.name);
  }
  return { selected: selected.sort(), skipped, problems };
}
