import { useMemo, useState, type DragEvent, type FormEvent } from 'react';
import type { TreeView } from '../../../shared/contract';
import { childrenOf } from '../../../shared/model/asset-tree';
import { decodeDrag, DRAG_TYPE, dropAction, encodeDrag, scannedDevice, searchTree, type DragItem } from '../assets/tree-actions';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
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

/** Drag handlers of a drop target: it accepts only drags from this tree, and runs what the drop means there. */
function useDropTarget(target: string | null) {
  const view = useAssetsStore((state) => state.view);
  const moveNode = useAssetsStore((state) => state.moveNode);
  const place = useAssetsStore((state) => state.place);
  const [over, setOver] = useState(false);
  const props = {
    onDragOver: (event: DragEvent) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = 'move';
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (event: DragEvent) => {
      setOver(false);
      const item = decodeDrag(event.dataTransfer.getData(DRAG_TYPE));
      if (!item || !view) return;
      event.preventDefault();
      event.stopPropagation();
      const action = dropAction(view, item, target);
      if (action?.kind === 'move') void moveNode(action.nodeId, action.parentId);
      if (action?.kind === 'place') void place(action.device, action.nodeId);
    },
  };
  return { over, props };
}

const startDrag = (item: DragItem) => (event: DragEvent) => {
  event.stopPropagation();
  event.dataTransfer.setData(DRAG_TYPE, encodeDrag(item));
  event.dataTransfer.effectAllowed = 'move';
};

function NodeItem({ view, node, selected, onSelect, search }: { view: TreeView; node: Node; selected: string | null; onSelect: (id: string) => void; search: TreeSearch }) {
  const unplace = useAssetsStore((state) => state.unplace);
  const t = useT();
  const drop = useDropTarget(node.id);
  return (
    <li role="treeitem" aria-selected={node.id === selected} data-node={node.name} className={drop.over ? 'drop-over' : undefined} {...drop.props}>
      <button type="button" className={search?.matches.has(node.id) ? 'link match' : 'link'} draggable onDragStart={startDrag({ kind: 'node', id: node.id })} onClick={() => onSelect(node.id)}>
        {node.name}
      </button>
      {node.type && <small> [{node.type}]</small>}
      <ul>
        {view.placements
          .filter((placement) => placement.nodeId === node.id)
          .map((placement) => {
            const device = `${placement.productKey}/${placement.deviceKey}`;
            return (
              <li key={device} data-device={device} draggable onDragStart={startDrag({ kind: 'device', device })}>
                • {device}{' '}
                <button type="button" className="link" onClick={() => void unplace(device)}>
                  {t('assets.unplace')}
                </button>
              </li>
            );
          })}
      </ul>
      <Branch view={view} parentId={node.id} selected={selected} onSelect={onSelect} search={search} />
    </li>
  );
}

type TreeSearch = ReturnType<typeof searchTree>;

function Branch({ view, parentId, selected, onSelect, search }: { view: TreeView; parentId: string | null; selected: string | null; onSelect: (id: string) => void; search: TreeSearch }) {
  const children = childrenOf(view, parentId).filter((node) => !search || search.shown.has(node.id));
  if (children.length === 0) return null;
  return (
    <ul role={parentId === null ? 'tree' : 'group'}>
      {children.map((node) => (
        <NodeItem key={node.id} view={view} node={node} selected={selected} onSelect={onSelect} search={search} />
      ))}
    </ul>
  );
}

/** A USB barcode scanner types the label's QR content and Enter into this field: the device is placed under the selected node. */
function ScanToPlace({ node }: { node: Node | undefined }) {
  const t = useT();
  const place = useAssetsStore((state) => state.place);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [placed, setPlaced] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const device = scannedDevice(text);
    setPlaced('');
    if (!node) return setProblem(t('assets.scanSelectFirst'));
    if (!device) return setProblem(t('assets.scanNotLabel'));
    setProblem(undefined);
    setText('');
    if ((await place(device, node.id)).ok) setPlaced(t('assets.scanPlaced', { device, node: node.name }));
  };
  return (
    <form className="form-row" onSubmit={(event) => void submit(event)} noValidate data-testid="scan-to-place">
      <Field label={t('assets.scan')} error={problem}>
        <input value={text} placeholder="enos-device:PK/DK?serial=…" autoComplete="off" onChange={(event) => setText(event.target.value)} maxLength={400} />
      </Field>
      <button type="submit">{t('assets.place')}</button>
      {placed && <output>{placed}</output>}
    </form>
  );
}

function ShownTree() {
  const t = useT();
  const view = useAssetsStore((state) => state.view);
  const addNode = useAssetsStore((state) => state.addNode);
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [query, setQuery] = useState('');
  const topLevel = useDropTarget(null);
  const search = useMemo(() => (view ? searchTree(view, query) : null), [view, query]);
  if (!view) return null;
  const node = view.nodes.find((item) => item.id === selected);
  return (
    <div className="panel wide" data-testid="asset-tree">
      <h2>{view.tree.name}</h2>
      <div className="form-row">
        <Field label={t('assets.search')}>
          <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} maxLength={100} />
        </Field>
      </div>
      <ScanToPlace node={node} />
      <Branch view={view} parentId={null} selected={selected} onSelect={setSelected} search={search} />
      {search && search.matches.size === 0 && <p>{t('assets.noMatch')}</p>}
      <p className={topLevel.over ? 'drop-zone drop-over' : 'drop-zone'} data-testid="asset-top-level" {...topLevel.props}>
        {t('assets.dropTop')}
      </p>
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
