import type { FieldValue, ParamField } from './param-fields';

/** The control for one generated field; `control` carries the id and aria attributes the surrounding Field ties to its label. */
export function ParamInput({ field, value, onChange, ...control }: { field: ParamField; value: FieldValue | undefined; onChange: (value: FieldValue) => void; id?: string }) {
  if (field.kind === 'boolean') return <input {...control} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />;
  if (field.kind === 'enum' || field.kind === 'flag')
    return (
      <select {...control} value={String(value ?? '')} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        {field.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  const type = field.kind === 'integer' || field.kind === 'number' ? 'number' : 'text';
  return <input {...control} type={type} value={String(value ?? '')} onChange={(event) => onChange(event.target.value)} />;
}
