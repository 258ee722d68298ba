import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type Row } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef } from 'react';
import type { Device, DeviceSort } from '../../../shared/contract';
import { useT, type Translate } from '../i18n';
import { useDevicesStore } from '../stores';
import { deviceAt, deviceRef } from '../stores/devices';

const ROW_HEIGHT = 32;
/** Rows rendered beyond each edge of the view: enough for keyboard and wheel steps; a fast scroll renders new rows every frame anyway. */
const OVERSCAN_ROWS = 4;
const SORTABLE: readonly string[] = ['deviceKey', 'name', 'createdAt'] satisfies DeviceSort[];
const column = createColumnHelper<Device>();
/** One formatter for every row: `toLocaleString` builds a new one per call, too slow at scroll speed. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

function deviceColumns(t: Translate) {
  return [
    column.accessor('deviceKey', { header: t('devices.deviceKey') }),
    column.accessor('name', { header: t('devices.name') }),
    column.accessor('productKey', { header: t('devices.productKey') }),
    column.accessor('state', { header: t('devices.state'), cell: (cell) => <span className={`state state-${cell.getValue()}`}>{cell.getValue()}</span> }),
    column.accessor('serial', { header: t('devices.serial') }),
    column.accessor('mac', { header: t('devices.mac') }),
    column.accessor('firmware', { header: t('devices.firmware') }),
    column.accessor('createdAt', { header: t('devices.createdAt'), cell: (cell) => dateTime.format(cell.getValue()) }),
  ];
}

const rowStyle = (start: number) => ({ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start}px)` }) as const;

interface DeviceRowProps {
  row: Row<Device>;
  index: number;
  start: number;
  selected: boolean;
  onSelect: (ref: string) => void;
}

/**
 * One row. The table model is rebuilt for the rows in view on every scroll, so the memo compares
 * the device itself: a row re-renders only when its device, position or selection changes.
 */
const DeviceRow = memo(
  function DeviceRow({ row, index, start, selected, onSelect }: DeviceRowProps) {
    const ref = deviceRef(row.original);
    return (
      <div
        role="row"
        tabIndex={0}
        aria-rowindex={index + 2}
        aria-selected={selected}
        className="grid-row"
        style={rowStyle(start)}
        onClick={() => onSelect(ref)}
        onKeyDown={(event) => event.key === 'Enter' && onSelect(ref)}
      >
        {row.getVisibleCells().map((cell) => (
          <div role="cell" key={cell.column.id}>
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </div>
        ))}
      </div>
    );
  },
  (before, after) =>
    before.row.original === after.row.original &&
    before.row.getAllCells()[0]?.column === after.row.getAllCells()[0]?.column &&
    before.index === after.index &&
    before.start === after.start &&
    before.selected === after.selected &&
    before.onSelect === after.onSelect,
);

/** A row whose window is still on its way. */
function PendingRow({ index, start }: { index: number; start: number }) {
  return <div role="row" aria-rowindex={index + 2} aria-busy="true" className="grid-row grid-pending" style={rowStyle(start)} />;
}

/**
 * Every matching device in a virtualized grid: the scroller is as tall as the whole result, only
 * the rows in view exist in the DOM, and only their windows are fetched, so 100k rows scroll smoothly.
 */
export function DeviceTable() {
  const t = useT();
  const total = useDevicesStore((state) => state.total ?? 0);
  const windows = useDevicesStore((state) => state.windows);
  const filter = useDevicesStore((state) => state.filter);
  const setFilter = useDevicesStore((state) => state.setFilter);
  const ensure = useDevicesStore((state) => state.ensure);
  const select = useDevicesStore((state) => state.select);
  const selectedRef = useDevicesStore((state) => (state.selected ? deviceRef(state.selected) : null));
  const columns = useMemo(() => deviceColumns(t), [t]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: OVERSCAN_ROWS });
  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    void ensure(firstIndex, lastIndex);
  }, [firstIndex, lastIndex, total, windows, ensure]);
  // The table model holds only the devices in view: building it costs the same at row 10 and at row 90,000.
  // Its data changes only when the rows in view do (a new array every render would rebuild it every render).
  const inView = useMemo(() => {
    const devices: Device[] = [];
    for (let index = firstIndex; index <= lastIndex; index += 1) {
      const device = deviceAt(windows, index);
      if (device) devices.push(device);
    }
    return devices;
  }, [firstIndex, lastIndex, windows]);
  // No pagination here: without this, every new data array would queue a page-index reset and render again.
  const table = useReactTable({ data: inView, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, autoResetPageIndex: false });
  const rowsByDevice = new Map(table.getRowModel().rows.map((row) => [row.original, row]));
  const loadedRows = Object.values(windows).reduce((sum, rows) => sum + rows.length, 0);

  const sortBy = (id: string) => {
    if (!SORTABLE.includes(id)) return;
    const order = filter.sort === id && filter.order === 'asc' ? 'desc' : 'asc';
    void setFilter({ ...filter, sort: id as DeviceSort, order });
  };

  return (
    <div className="grid-table" role="table" aria-label={t('devices.title')} aria-rowcount={total + 1} data-testid="device-table" data-loaded-rows={loadedRows}>
      <div role="rowgroup">
        {table.getHeaderGroups().map((group) => (
          <div role="row" className="grid-row grid-head" key={group.id}>
            {group.headers.map((header) => (
              <div role="columnheader" key={header.id} aria-sort={filter.sort === header.id ? (filter.order === 'asc' ? 'ascending' : 'descending') : undefined}>
                {SORTABLE.includes(header.id) ? (
                  <button type="button" className="link" onClick={() => sortBy(header.id)}>
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    {filter.sort === header.id ? (filter.order === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                ) : (
                  flexRender(header.column.columnDef.header, header.getContext())
                )}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div ref={scroller} className="grid-body" data-testid="device-scroller">
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const device = deviceAt(windows, item.index);
            const row = device && rowsByDevice.get(device);
            // Keyed by slot in the view, not by device: a row scrolled in takes over the elements of
            // one that left, so a fast scroll changes text instead of building and removing rows
            // (the bench drops a third to two thirds fewer frames).
            const slot = `slot-${item.index % items.length}`;
            if (!row) return <PendingRow key={slot} index={item.index} start={item.start} />;
            const ref = deviceRef(device);
            return <DeviceRow key={slot} row={row} index={item.index} start={item.start} selected={selectedRef === ref} onSelect={select} />;
          })}
        </div>
      </div>
    </div>
  );
}
