import { describe, expect, it } from 'vitest';
import type { TreeView } from '../../shared/contract';
import { formatIdentityUri } from '../../shared/model/identity-uri';
import { decodeDrag, dropAction, encodeDrag, scannedDevice, searchTree } from '../../renderer/src/assets/tree-actions';

const node = (id: string, parentId: string | null, name: string, type = '') => ({ id, treeId: 't', parentId, name, type, attributes: {}, position: 0 });
const view: Pick<TreeView, 'nodes' | 'placements'> = {
  nodes: [node('site', null, 'Site'), node('hall', 'site', 'Hall A', 'building'), node('line', 'hall', 'Line 1'), node('store', null, 'Store')],
  placements: [{ treeId: 't', nodeId: 'line', productKey: 'P1', deviceKey: 'pump-7' }],
};

describe('asset tree drag and drop', () => {
  it('carries what is dragged, and ignores drags that did not start in the tree', () => {
    expect(decodeDrag(encodeDrag({ kind: 'node', id: 'hall' }))).toEqual({ kind: 'node', id: 'hall' });
    expect(decodeDrag(encodeDrag({ kind: 'device', device: 'P1/pump-7' }))).toEqual({ kind: 'device', device: 'P1/pump-7' });
    expect(decodeDrag('https://example.com')).toBeNull();
    expect(decodeDrag('{"kind":"node"}')).toBeNull();
    expect(decodeDrag('{"kind":"file","id":"x"}')).toBeNull();
  });

  it('a node dropped on another node moves under it, on the top level to the top; a drop that changes nothing does nothing', () => {
    expect(dropAction(view, { kind: 'node', id: 'line' }, 'store')).toEqual({ kind: 'move', nodeId: 'line', parentId: 'store' });
    expect(dropAction(view, { kind: 'node', id: 'hall' }, null)).toEqual({ kind: 'move', nodeId: 'hall', parentId: null });
    expect(dropAction(view, { kind: 'node', id: 'hall' }, 'hall')).toBeNull();
    expect(dropAction(view, { kind: 'node', id: 'hall' }, 'site')).toBeNull();
    expect(dropAction(view, { kind: 'node', id: 'gone' }, 'site')).toBeNull();
    // Into its own branch: sent, so the registry's refusal (ASSET_CYCLE) is what the screen shows.
    expect(dropAction(view, { kind: 'node', id: 'site' }, 'line')).toEqual({ kind: 'move', nodeId: 'site', parentId: 'line' });
  });

  it('a placed device dropped on a node is placed there; not on its own node or the top level', () => {
    expect(dropAction(view, { kind: 'device', device: 'P1/pump-7' }, 'store')).toEqual({ kind: 'place', device: 'P1/pump-7', nodeId: 'store' });
    expect(dropAction(view, { kind: 'device', device: 'P1/pump-7' }, 'line')).toBeNull();
    expect(dropAction(view, { kind: 'device', device: 'P1/pump-7' }, null)).toBeNull();
  });
});

describe('scan to place', () => {
  it('reads the label’s identity URI as a scanner types it, or PK/DK typed by hand', () => {
    expect(scannedDevice(formatIdentityUri({ productKey: 'P1', deviceKey: 'M-001', serial: 'SN 1', mac: '02:00:00:00:00:01' }))).toBe('P1/M-001');
    expect(scannedDevice('  enos-device:P1/M-002\n')).toBe('P1/M-002');
    expect(scannedDevice('P1/M-003')).toBe('P1/M-003');
  });

  it('refuses what is not a device label', () => {
    for (const text of ['', 'M-001', 'enos-device:P1', 'https://example.com/P1/M-1', 'P1/M 1', 'enos-device:P1/M-1?serial=%E0%A4%A']) expect(scannedDevice(text)).toBeNull();
  });
});

describe('tree search', () => {
  it('shows matching nodes with their ancestors, matching by name, type or placed device', () => {
    expect(searchTree(view, '  ')).toBeNull();
    const byName = searchTree(view, 'line')!;
    expect([...byName.matches]).toEqual(['line']);
    expect([...byName.shown].sort()).toEqual(['hall', 'line', 'site']);
    expect([...searchTree(view, 'BUILDING')!.matches]).toEqual(['hall']);
    expect([...searchTree(view, 'pump-7')!.matches]).toEqual(['line']);
    expect(searchTree(view, 'nothing')!.shown.size).toBe(0);
  });
});
