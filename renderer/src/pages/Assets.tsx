import { useState, type FormEvent } from 'react';
import type { TreeView } from '../../../shared/contract';
import { childrenOf } from '../../../shared/model/asset-tree';
import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n';
import { useAssetsStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

type Node = TreeView['nodes'][number];

function TreeList() {
  const t = useT();
  const trees = useAssetsStore((state) => state.trees);
  const shown = useAssetsStore((state) => state.view?.tree.id);
  const open = useAssetsStore((state) => state.open);
  const createTree = useAssetsStore((state) => state.createTree);
  const [name, setName] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await createTree(name.trim())).ok) setName('');
  };
  return (
    <div className="panel">
      <h2>{t('assets.trees')}</h2>
      <ul data-testid="asset-trees">
        {trees.map((tree) => (
          <li key={tree.id} aria-current={tree.id === shown ? 'true' : undefined}>
            <button type="button" className="link" onClick={() => void open(tree.id)}>
              {tree.name}
            </button>{' '}
            {t('assets.counts', { nodes: String(tree.nodes), devices: String(tree.devices) })}
          </li>
        ))}
      </ul>
      <form className="form-row" onSubmit={submit}>
        <input aria-label={t('assets.treeName')} placeholder={t('assets.treeName')} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
        <button type="submit">{t('assets.createTree')}</button>
      </form>
    </div>
  );
}

/** What a selected node offers: add a child, rename, move, place a device, delete. */
function NodeActions({ node, nodes }: { node: Node; nodes: readonly Node[] }) {
  const t = useT();
  const { addNode, renameNode, moveNode, deleteNode, place } = useAssetsStore((state) => state);
  const [child, setChild] = useState('');
  const [name, setName] = useState(node.name);
  const [parent, setParent] = useState(node.parentId ?? '');
  const [device, setDevice] = useState('');
  const [cascade, setCascade] = useState(false);
  const onSubmit = (action: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault();
    void action();
  };
  return (
    <div className="panel" data-testid="asset-node-actions">
      <h2>{node.name}</h2>
      <form className="form-row" onSubmit={onSubmit(async () => (await addNode(node.id, child.trim(), '')).ok && setChild(''))}>
        <input aria-label={t('assets.childName')} placeholder={t('assets.childName')} value={child} onChange={(event) => setChild(event.target.value)} required maxLength={100} />
        <button type="submit">{t('assets.addChild')}</button>
      </form>
      <form className="form-row" onSubmit={onSubmit(() => renameNode(node.id, name.trim()))}>
        <input aria-label={t('assets.rename')} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
        <button type="submit">{t('assets.rename')}</button>
      </form>
      <form className="form-row" onSubmit={onSubmit(() => moveNode(node.id, parent || null))}>
        <select aria-label={t('assets.moveUnder')} value={parent} onChange={(event) => setParent(event.target.value)}>
          <option value="">{t('assets.topLevel')}</option>
          {nodes
            .filter((other) => other.id !== node.id)
            .map((other) => (
              <option key={other.id} value={other.id}>
                {other.name}
              </option>
            ))}
        </select>
        <button type="submit">{t('assets.move')}</button>
      </form>
      <form className="form-row" onSubmit={onSubmit(async () => (await place(device.trim(), node.id)).ok && setDevice(''))}>
        <input aria-label={t('assets.device')} placeholder="PK/DK" value={device} onChange={(event) => setDevice(event.target.value)} required maxLength={100} />
        <button type="submit">{t('assets.place')}</button>
      </form>
      <form className="form-row" onSubmit={onSubmit(() => deleteNode(node.id, cascade))}>
        <label>
          <input type="checkbox" checked={cascade} onChange={(event) => setCascade(event.target.checked)} /> {t('assets.cascade')}
        </label>
        <button type="submit">{t('assets.delete')}</button>
      </form>
    </div>
  );
}

function Branch({ view, parentId, selected, onSelect }: { view: TreeView; parentId: string | null; selected: string | null; onSelect: (id: string) => void }) {
  const unplace = useAssetsStore((state) => state.unplace);
  const t = useT();
  const children = childrenOf(view, parentId);
  if (children.length === 0) return null;
  return (
    <ul role={parentId === null ? 'tree' : 'group'}>
      {children.map((node) => (
        <li key={node.id} role="treeitem" aria-selected={node.id === selected}>
          <button type="button" className="link" onClick={() => onSelect(node.id)}>
            {node.name}
          </button>
          {node.type && <small> [{node.type}]</small>}
          <ul>
            {view.placements
              .filter((placement) => placement.nodeId === node.id)
              .map((placement) => (
                <li key={`${placement.productKey}/${placement.deviceKey}`}>
                  • {placement.productKey}/{placement.deviceKey}{' '}
                  <button type="button" className="link" onClick={() => void unplace(`${placement.productKey}/${placement.deviceKey}`)}>
                    {t('assets.unplace')}
                  </button>
                </li>
              ))}
          </ul>
          <Branch view={view} parentId={node.id} selected={selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

function ShownTree() {
  const t = useT();
  const view = useAssetsStore((state) => state.view);
  const addNode = useAssetsStore((state) => state.addNode);
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  if (!view) return null;
  const node = view.nodes.find((item) => item.id === selected);
  return (
    <div className="panel wide" data-testid="asset-tree">
      <h2>{view.tree.name}</h2>
      <Branch view={view} parentId={null} selected={selected} onSelect={setSelected} />
      <form
        className="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          void addNode(null, name.trim(), '').then((result) => result.ok && setName(''));
        }}
      >
        <input aria-label={t('assets.topName')} placeholder={t('assets.topName')} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
        <button type="submit">{t('assets.addTop')}</button>
      </form>
      {node && <NodeActions key={`${node.id}:${node.name}:${node.parentId}`} node={node} nodes={view.nodes} />}
    </div>
  );
}

export function AssetsPage() {
  const t = useT();
  const error = useAssetsStore((state) => state.error);
  const load = useAssetsStore((state) => state.load);
  const follow = useAssetsStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <section aria-labelledby="assets-title">
      <h1 id="assets-title">{t('nav.assets')}</h1>
      {error && <ErrorNotice error={error} />}
      <TreeList />
      <ShownTree />
    </section>
  );
}
