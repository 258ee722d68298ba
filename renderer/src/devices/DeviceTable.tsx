import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type Row } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef } from 'react';
import type { Device, DeviceSort } from '../../../shared/contract';
import { useT, type Translate } from '../i18n';
import { useDevicesStore } from '../stores';
import { deviceRef } from '../stores/devices';

const ROW_HEIGHT = 32;
/** Fetch the next page while this many loaded rows are still below the viewport. */
const PREFETCH_ROWS = 300;
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

/** One row; memoized so that scrolling renders only the rows that come into view. */
const DeviceRow = memo(function DeviceRow({ row, index, start, selected, onSelect }: { row: Row<Device>; index: number; start: number; selected: boolean; onSelect: (ref: string) => void }) {
  const ref = deviceRef(row.original);
  return (
    <div
      role="row"
      tabIndex={0}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className="grid-row"
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      onClick={() => onSelect(ref)}
      onKeyDown={(event) => event.key === 'Enter' && onSelect(ref)}
    >
      {row.getVisibleCells().map((cell) => (
        <div role="cell" key={cell.id}>
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </div>
      ))}
    </div>
  );
});

/** Every loaded device in a virtualized grid: only the rows in view exist in the DOM, so 100k rows scroll smoothly. */
export function DeviceTable() {
  const t = useT();
  const rows = useDevicesStore((state) => state.rows);
  const filter = useDevicesStore((state) => state.filter);
  const setFilter = useDevicesStore((state) => state.setFilter);
  const loadMore = useDevicesStore((state) => state.loadMore);
  const select = useDevicesStore((state) => state.select);
  const selectedRef = useDevicesStore((state) => (state.selected ? deviceRef(state.selected) : null));
  const columns = useMemo(() => deviceColumns(t), [t]);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true });
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - PREFETCH_ROWS) void loadMore();
  }, [lastIndex, rows.length, loadMore]);

  const sortBy = (id: string) => {
    if (!SORTABLE.includes(id)) return;
    const order = filter.sort === id && filter.order === 'asc' ? 'desc' : 'asc';
    void setFilter({ ...filter, sort: id as DeviceSort, order });
  };
  const tableRows = table.getRowModel().rows;

  return (
    <div className="grid-table" role="table" aria-label={t('devices.title')} aria-rowcount={rows.length + 1} data-testid="device-table">
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
            const row = tableRows[item.index]!;
            const ref = deviceRef(row.original);
            return <DeviceRow key={ref} row={row} index={item.index} start={item.start} selected={selectedRef === ref} onSelect={select} />;
          })}
        </div>
      </div>
    </div>
  );
}
