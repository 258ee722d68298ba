import { describe, expect, it } from 'vitest';
import { addNode, deleteNode, findByPath, moveNode, nodePath, placeDevice, renameNode, renderTree, type AssetNode, type TreeState } from '../../shared/model/asset-tree';

function value<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Site → Building → Floor, plus a second top-level node; one device on the floor. */
function sample(): TreeState {
  const nodes: AssetNode[] = [];
  let state: TreeState = { nodes, placements: [] };
  const add = (id: string, parentId: string | null, name: string) => {
    nodes.push(value(addNode(state, { id, treeId: 't', parentId, name })));
    state = { nodes, placements: state.placements };
  };
  add('site', null, 'Site');
  add('bldg', 'site', 'Building A');
  add('floor', 'bldg', 'Floor 1');
  add('depot', null, 'Depot');
  return { nodes, placements: [{ treeId: 't', nodeId: 'floor', productKey: 'pk', deviceKey: 'd1' }] };
}

describe('asset tree operations', () => {
  it('adds nodes last among siblings and refuses duplicate sibling names and unknown parents', () => {
    const state = sample();
    expect(value(addNode(state, { id: 'n', treeId: 't', parentId: 'site', name: 'Building B' })).position).toBe(1);
    expect(addNode(state, { id: 'n', treeId: 't', parentId: 'site', name: 'Building A' })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(addNode(state, { id: 'n', treeId: 't', parentId: 'ghost', name: 'X' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(addNode(state, { id: 'n', treeId: 't', parentId: null, name: 'a/b' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses moving a node under itself or its own descendant (EnOS 17768)', () => {
    const state = sample();
    const intoChild = moveNode(state, 'site', 'floor');
    expect(intoChild).toMatchObject({ ok: false, error: { code: 'ASSET_CYCLE' } });
    expect(!intoChild.ok && intoChild.error.message).toContain('Site/Building A/Floor 1');
    expect(moveNode(state, 'bldg', 'bldg')).toMatchObject({ ok: false, error: { code: 'ASSET_CYCLE' } });
  });

  it('moves a subtree under another node or to the top level', () => {
    const state = sample();
    expect(value(moveNode(state, 'bldg', 'depot'))).toMatchObject({ id: 'bldg', parentId: 'depot', position: 0 });
    expect(value(moveNode(state, 'floor', null))).toMatchObject({ parentId: null, position: 2 });
  });

  it('keeps trees within six levels below the root (§9)', () => {
    let state: TreeState = { nodes: [], placements: [] };
    let parent: string | null = null;
    for (let level = 1; level <= 6; level++) {
      const node: AssetNode = value(addNode(state, { id: `n${level}`, treeId: 't', parentId: parent, name: `L${level}` }));
      state = { nodes: [...state.nodes, node], placements: [] };
      parent = node.id;
    }
    expect(addNode(state, { id: 'n7', treeId: 't', parentId: 'n6', name: 'L7' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const other = value(addNode(state, { id: 'x', treeId: 't', parentId: null, name: 'Other' }));
    expect(moveNode({ nodes: [...state.nodes, other], placements: [] }, 'n1', 'x')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('renames within sibling uniqueness', () => {
    const state = sample();
    expect(value(renameNode(state, 'depot', ' Warehouse ')).name).toBe('Warehouse');
    expect(renameNode(state, 'depot', 'Site')).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
  });

  it('deletes only empty nodes unless cascading, children first', () => {
    const state = sample();
    expect(deleteNode(state, 'site', false)).toMatchObject({ ok: false, error: { code: 'NODE_NOT_EMPTY' } });
    expect(deleteNode(state, 'floor', false)).toMatchObject({ ok: false, error: { code: 'NODE_NOT_EMPTY' } });
    expect(value(deleteNode(state, 'site', true))).toEqual({ nodeIds: ['floor', 'bldg', 'site'], placements: state.placements });
    expect(value(deleteNode(state, 'depot', false))).toEqual({ nodeIds: ['depot'], placements: [] });
  });

  it('looks paths up both ways', () => {
    const state = sample();
    expect(value(nodePath(state, 'floor'))).toEqual(['Site', 'Building A', 'Floor 1']);
    expect(value(findByPath(state, 'Site/Building A/Floor 1')).id).toBe('floor');
    expect(findByPath(state, 'Site/Building B')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No node "Site/Building B" in this tree.' } });
  });

  it('keeps one placement per device per tree', () => {
    const state = sample();
    expect(value(placeDevice(state, 'depot', { productKey: 'pk', deviceKey: 'd1' })).previous).toEqual(state.placements[0]);
    expect(value(placeDevice(state, 'depot', { productKey: 'pk', deviceKey: 'd2' })).previous).toBeNull();
  });

  it('renders an indented tree with devices', () => {
    expect(renderTree(sample(), 'Plant')).toBe(['Plant', '  Site  (site)', '    Building A  (bldg)', '      Floor 1  (floor)', '        • pk/d1', '  Depot  (depot)'].join('\n'));
  });
});
