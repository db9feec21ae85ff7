/** Chat apps that keep edits and regenerations (ChatGPT, Open WebUI) store messages as a tree. */

/** One message node: its id, its parent's id and its children's ids, as the file says. */
export interface TreeNode {
  readonly id: string;
  readonly parent: string | undefined;
  readonly children: readonly string[];
}

/** The ids from the root down to `leaf`, following parent links (a cycle or a missing parent ends the walk). */
export function pathTo(nodes: ReadonlyMap<string, TreeNode>, leaf: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  for (
    let id: string | undefined = leaf;
    id !== undefined && nodes.has(id) && !seen.has(id);
    id = nodes.get(id)?.parent
  ) {
    seen.add(id);
    path.push(id);
  }
  return path.reverse();
}

/** Leaves (nodes none of whose children exist) other than those on `shown`, in the file's order. */
export function otherLeaves(nodes: ReadonlyMap<string, TreeNode>, shown: readonly string[]): string[] {
  const onShown = new Set(shown);
  const out: string[] = [];
  for (const n of nodes.values()) {
    if (onShown.has(n.id)) continue;
    if (!n.children.some((c) => nodes.has(c))) out.push(n.id);
  }
  return out;
}

/** The leaf a tree shows when the file does not say: the last leaf in the file's order. */
export function lastLeaf(nodes: ReadonlyMap<string, TreeNode>): string | undefined {
  let last: string | undefined;
  for (const n of nodes.values()) if (!n.children.some((c) => nodes.has(c))) last = n.id;
  return last;
}
