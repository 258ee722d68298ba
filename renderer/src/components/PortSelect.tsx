import type { PortInfo } from '../../../shared/contract';
import { Field } from './Field';

/** Serial ports as a labelled select; the empty choice stands for "none" or "every port". */
export function PortSelect({ label, value, ports, error, emptyLabel = '—', onChange }: { label: string; value: string; ports: readonly PortInfo[]; error?: string; emptyLabel?: string; onChange: (path: string) => void }) {
  return (
    <Field label={label} error={error}>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{emptyLabel}</option>
        {ports.map((port) => (
          <option key={port.path} value={port.path}>
            {port.path}
          </option>
        ))}
      </select>
    </Field>
  );
}
