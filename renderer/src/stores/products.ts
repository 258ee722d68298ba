import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { Product, ProductCreate } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';

export interface ProductsState {
  products: Product[];
  selected: Product | null;
  error: AppError | null;
  load(): Promise<void>;
  select(productKey: string | null): void;
  create(input: ProductCreate): Promise<Result<Product>>;
  /** Stores a thing model (EnOS JSON) on the selected product; the registry validates it again. */
  saveModel(model: unknown): Promise<Result<Product>>;
  exportModel(): Promise<Result<unknown>>;
  follow(): () => void;
}

export function createProductsStore(api: Api) {
  return createStore<ProductsState>((set, get) => ({
    products: [],
    selected: null,
    error: null,
    async load() {
      const result = await api.call('products.list', {});
      if (!result.ok) return set({ error: result.error });
      const key = get().selected?.productKey;
      set({ products: result.value, error: null, selected: result.value.find((product) => product.productKey === key) ?? get().selected });
    },
    select(productKey) {
      set({ selected: get().products.find((product) => product.productKey === productKey) ?? null });
    },
    async create(input) {
      const result = await api.call('products.create', input);
      if (!result.ok) return result;
      const product = result.value.product;
      set({ products: [...get().products, product], selected: product });
      return { ok: true, value: product };
    },
    async saveModel(model) {
      const selected = get().selected;
      if (!selected) return { ok: false, error: { code: 'NOT_FOUND', message: 'No product is selected.' } };
      const result = await api.call('products.importModel', { productKey: selected.productKey, model });
      if (result.ok) set({ selected: result.value, products: get().products.map((product) => (product.productKey === result.value.productKey ? result.value : product)) });
      return result;
    },
    async exportModel() {
      const selected = get().selected;
      if (!selected) return { ok: false, error: { code: 'NOT_FOUND', message: 'No product is selected.' } };
      return api.call('products.exportModel', { productKey: selected.productKey });
    },
    follow() {
      return api.on('products.changed', () => void get().load());
    },
  }));
}
