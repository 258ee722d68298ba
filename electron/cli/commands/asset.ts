import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TreeExportSchema } from '../../../shared/contract/assets';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';
import { readJsonInput } from './input-files';

const nodeLine = (node: { id: string; name: string; type: string; parentId: string | null }) => `${node.id}  ${node.name}${node.type ? ` [${node.type}]` : ''}`;

export function registerAssetCommands(program: Command): void {
  const asset = program.command('asset').description('asset trees: nodes, device placements, paths');
  const tree = asset.command('tree').description('asset trees');

  tree
    .command('create <name>')
    .description('create an asset tree')
    .action(async (name: string, _options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.createTree', { name }));
      printResult(result, global.json, (created) => `tree ${created.id}  ${created.name}`);
    });

  tree
    .command('list')
    .description('list asset trees')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.trees', {}));
      printResult(result, global.json, (trees) => (trees.length ? trees.map((item) => `${item.id}  ${item.name}  (${item.nodes} nodes, ${item.devices} devices)`).join('\n') : 'no trees'));
    });

  tree
    .command('delete <tree>')
    .description('delete a tree (id or name); refused while it has nodes unless --cascade')
    .option('--cascade', 'also delete every node and placement')
    .action(async (ref: string, options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.deleteTree', { tree: ref, cascade: Boolean(options.cascade) }));
      printResult(result, global.json, (value) => `deleted tree ${value.id}`);
    });

  const node = asset.command('node').description('asset nodes');

  node
    .command('add')
    .description('add a node to a tree, under --parent or at the top level')
    .requiredOption('--tree <tree>', 'tree id or name')
    .option('--parent <id>', 'parent node id (default: top level)')
    .requiredOption('--name <name>', 'node name (unique among its siblings)')
    .option('--type <type>', 'node type, e.g. site, building, line', '')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.addNode', { tree: options.tree, parentId: options.parent ?? null, name: options.name, type: options.type }));
      printResult(result, global.json, nodeLine);
    });

  node
    .command('move <id>')
    .description('move a node (with everything below it) under another node, or to the top level with --top')
    .option('--parent <id>', 'new parent node id')
    .option('--top', 'move to the top level of its tree')
    .action(async (id: string, options, command: Command) => {
      const global = globalOptions(command);
      if (Boolean(options.parent) === Boolean(options.top)) throw new UsageError('give exactly one of --parent ID or --top');
      const result = await withApi(global, (api) => api.call('assets.moveNode', { nodeId: id, parentId: options.top ? null : options.parent }));
      printResult(result, global.json, nodeLine);
    });

  node
    .command('rename <id>')
    .description('rename a node')
    .requiredOption('--name <name>', 'new name')
    .action(async (id: string, options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.renameNode', { nodeId: id, name: options.name }));
      printResult(result, global.json, nodeLine);
    });

  node
    .command('delete <id>')
    .description('delete an empty node; --cascade also deletes what is below it')
    .option('--cascade', 'delete child nodes and placements too')
    .action(async (id: string, options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.deleteNode', { nodeId: id, cascade: Boolean(options.cascade) }));
      printResult(result, global.json, (value) => `deleted ${value.nodes} node(s), ${value.placements} placement(s)`);
    });

  asset
    .command('place')
    .description('place a device under a node (one placement per device per tree; placing again moves it)')
    .requiredOption('--device <device>', 'PK/DK, or a unique deviceKey')
    .requiredOption('--node <id>', 'node id')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.place', { device: options.device, nodeId: options.node }));
      printResult(result, global.json, (placement) => `placed ${placement.productKey}/${placement.deviceKey} under ${placement.nodeId}`);
    });

  asset
    .command('unplace')
    .description('remove a device from a tree')
    .requiredOption('--device <device>', 'PK/DK, or a unique deviceKey')
    .requiredOption('--tree <tree>', 'tree id or name')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.unplace', { device: options.device, tree: options.tree }));
      printResult(result, global.json, (value) => (value.removed ? 'removed' : 'the device was not in this tree'));
    });

  asset
    .command('show')
    .description('print a tree indented (or, with --json, its nodes and placements)')
    .requiredOption('--tree <tree>', 'tree id or name')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.show', { tree: options.tree }));
      printResult(result, global.json, (view) => view.text);
    });

  asset
    .command('export')
    .description('write a tree (nodes and placements) as JSON')
    .requiredOption('--tree <tree>', 'tree id or name')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('assets.export', { tree: options.tree }));
      if (result.ok && options.out) writeFileSync(options.out, `${JSON.stringify(result.value, null, 2)}\n`);
      printResult(result, global.json, (tree) => (options.out ? `wrote ${tree.nodes.length} node(s) to ${options.out}` : JSON.stringify(tree, null, 2)));
    });

  asset
    .command('import <file>')
    .description('create a tree from an exported one (new node ids); every placed device must exist')
    .option('--name <name>', 'name of the new tree (default: the name in the file)')
    .action(async (file: string, options, command: Command) => {
      const global = globalOptions(command);
      const parsed = TreeExportSchema.safeParse(readJsonInput(file));
      if (!parsed.success) throw new UsageError(`${file} is not an exported tree: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
      const result = await withApi(global, (api) => api.call('assets.import', { tree: parsed.data, name: options.name }));
      printResult(result, global.json, (tree) => `tree ${tree.id}  ${tree.name}`);
    });

  asset
    .command('path')
    .description("print a node's path of names (--node), or the node at a path (--path 'Site/Building/Floor')")
    .requiredOption('--tree <tree>', 'tree id or name')
    .option('--node <id>', 'node id')
    .option('--path <path>', 'names separated by /')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      if (Boolean(options.node) === Boolean(options.path)) throw new UsageError('give exactly one of --node ID or --path P');
      const result = await withApi(global, (api) => api.call('assets.path', { tree: options.tree, nodeId: options.node, path: options.path }));
      printResult(result, global.json, (value) => `${value.node.id}  ${value.path.join('/')}`);
    });
}
