import { useEffect, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n';
import { ProductCreateForm } from '../products/ProductCreateForm';
import { ThingModelEditor } from '../products/ThingModelEditor';
import { useProductsStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

function ProductList() {
  const t = useT();
  const products = useProductsStore((state) => state.products);
  const selected = useProductsStore((state) => state.selected);
  const select = useProductsStore((state) => state.select);
  return (
    <table className="simple-table" data-testid="product-list">
      <thead>
        <tr>
          <th>{t('products.productKey')}</th>
          <th>{t('products.name')}</th>
          <th>{t('products.authScheme')}</th>
          <th>{t('products.protocols')}</th>
          <th>{t('products.destination')}</th>
        </tr>
      </thead>
      <tbody>
        {products.map((product) => (
          <tr key={product.productKey} aria-selected={selected?.productKey === product.productKey}>
            <td>
              <button type="button" className="link" onClick={() => select(product.productKey)}>
                {product.productKey}
              </button>
            </td>
            <td>{product.name}</td>
            <td>{product.authScheme}</td>
            <td>{product.protocols.join(', ')}</td>
            <td>{product.destination}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The editor starts from the stored model, fetched in the EnOS JSON shape. */
function SelectedProduct() {
  const t = useT();
  const product = useProductsStore((state) => state.selected);
  const exportModel = useProductsStore((state) => state.exportModel);
  const [initial, setInitial] = useState<{ key: string; text: string | null } | null>(null);
  const key = product?.productKey;
  const hasModel = Boolean(product?.thingModel);
  useEffect(() => {
    if (!key) return;
    if (!hasModel) return setInitial({ key, text: null });
    void exportModel().then((result) => setInitial({ key, text: result.ok ? JSON.stringify(result.value, null, 2) : null }));
  }, [key, hasModel, exportModel]);
  if (!product || initial?.key !== product.productKey) return null;
  return (
    <div className="panel" data-testid="product-detail">
      <h2>
        {t('products.model')}: {product.name} <code>{product.productKey}</code>
      </h2>
      <ThingModelEditor key={product.productKey} initialText={initial.text} />
    </div>
  );
}

export function ProductsPage() {
  const t = useT();
  const error = useProductsStore((state) => state.error);
  const load = useProductsStore((state) => state.load);
  const follow = useProductsStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">{t('products.title')}</h1>
      <div className="panel">
        <h2>{t('products.create')}</h2>
        <ProductCreateForm />
        {error && <ErrorNotice error={error} />}
        <ProductList />
      </div>
      <SelectedProduct />
    </section>
  );
}
