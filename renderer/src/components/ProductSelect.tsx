import { useEffect, useState } from 'react';
import type { Product } from '../../../shared/contract';
import { useApi } from '../api/context';
import { Field } from './Field';

/** The station's products as a labelled select; the empty choice stands for "none" or "any". */
export function ProductSelect({ label, value, error, emptyLabel = '—', onChange }: { label: string; value: string; error?: string; emptyLabel?: string; onChange: (productKey: string) => void }) {
  const api = useApi();
  const [products, setProducts] = useState<Product[]>([]);
  useEffect(() => {
    void api.call('products.list', {}).then((result) => result.ok && setProducts(result.value));
  }, [api]);
  return (
    <Field label={label} error={error}>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{emptyLabel}</option>
        {products.map((product) => (
          <option key={product.productKey} value={product.productKey}>
            {product.name} ({product.productKey})
          </option>
        ))}
      </select>
    </Field>
  );
}
