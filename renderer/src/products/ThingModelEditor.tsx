import { useMemo, useState, type ChangeEvent } from 'react';
import type { Violation } from '../../../shared/model/thing-model';
import type { AppError } from '../../../shared/result';
import { downloadText } from '../components/download';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useT } from '../i18n';
import { useProductsStore } from '../stores';
import { addFeature, checkModelText, DATA_TYPES, emptyModelText, FEATURE_KINDS, featuresInText, violationsOf, type DataType, type FeatureKind } from './model-text';

function Violations({ violations }: { violations: Violation[] }) {
  if (violations.length === 0) return null;
  return (
    <ul className="violations" data-testid="model-violations">
      {violations.map((violation) => (
        <li key={`${violation.path}:${violation.message}`} className="field-error">
          <code>{violation.path}</code> {violation.message}
        </li>
      ))}
    </ul>
  );
}

function AddFeature({ onAdd }: { onAdd: (kind: FeatureKind, identifier: string, dataType: DataType) => void }) {
  const t = useT();
  const [kind, setKind] = useState<FeatureKind>('measurepoints');
  const [identifier, setIdentifier] = useState('');
  const [dataType, setDataType] = useState<DataType>('DOUBLE');
  return (
    <div className="form-row">
      <Field label={t('model.kind')}>
        <select value={kind} onChange={(event) => setKind(event.target.value as FeatureKind)}>
          {FEATURE_KINDS.map((item) => (
            <option key={item} value={item}>
              {t(`model.${item}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('model.identifier')}>
        <input value={identifier} onChange={(event) => setIdentifier(event.target.value)} />
      </Field>
      <Field label={t('model.dataType')}>
        <select value={dataType} onChange={(event) => setDataType(event.target.value as DataType)}>
          {DATA_TYPES.map((item) => (
            <option key={item}>{item}</option>
          ))}
        </select>
      </Field>
      <button type="button" disabled={!identifier} onClick={() => (onAdd(kind, identifier, dataType), setIdentifier(''))}>
        {t('model.add')}
      </button>
    </div>
  );
}

/** The product's thing model as EnOS JSON, checked on every keystroke by the shared validator. */
export function ThingModelEditor({ initialText }: { initialText: string | null }) {
  const t = useT();
  const product = useProductsStore((state) => state.selected)!;
  const saveModel = useProductsStore((state) => state.saveModel);
  const exportModel = useProductsStore((state) => state.exportModel);
  const [text, setText] = useState(initialText ?? emptyModelText(product.productKey));
  const [serverError, setServerError] = useState<AppError | null>(null);
  const [saved, setSaved] = useState(false);
  const check = useMemo(() => checkModelText(text), [text]);
  const violations = check.ok ? [] : check.violations;
  const features = useMemo(() => featuresInText(text), [text]);
  const edit = (next: string) => (setText(next), setSaved(false));

  const save = async () => {
    if (!check.ok) return;
    const result = await saveModel(check.json);
    setServerError(result.ok ? null : result.error);
    setSaved(result.ok);
  };
  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) edit(await file.text());
  };
  const exportFile = async () => {
    const result = await exportModel();
    if (result.ok) downloadText(`${product.productKey}-model.json`, JSON.stringify(result.value, null, 2), 'application/json');
    else setServerError(result.error);
  };

  return (
    <div className="model-editor">
      <div className="model-features">
        {FEATURE_KINDS.map((kind) => (
          <div key={kind}>
            <h4>{t(`model.${kind}`)}</h4>
            <ul>
              {features[kind].map((feature) => (
                <li key={feature.identifier}>
                  <code>{feature.identifier}</code> {feature.dataType}
                  <Violations violations={violationsOf(violations, kind, feature.identifier)} />
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <AddFeature onAdd={(kind, identifier, dataType) => check.ok && edit(addFeature(text, kind, identifier, dataType))} />
      <Field label={t('model.json')} error={violations.length > 0 ? t('model.invalid', { count: violations.length }) : undefined}>
        <textarea className="model-json" spellCheck={false} rows={16} value={text} onChange={(event) => edit(event.target.value)} />
      </Field>
      <Violations violations={violations.filter((violation) => !FEATURE_KINDS.some((kind) => violation.path.startsWith(`$.${kind}.`)))} />
      <div className="form-row">
        <button type="button" disabled={!check.ok} onClick={() => void save()}>
          {t('model.save')}
        </button>
        <label className="file-button">
          {t('model.import')} <input type="file" accept="application/json,.json" onChange={(event) => void importFile(event)} />
        </label>
        <button type="button" disabled={!product.thingModel} onClick={() => void exportFile()}>
          {t('model.export')}
        </button>
        {saved && <span role="status">{t('model.saved')}</span>}
      </div>
      {serverError && <ErrorNotice error={serverError} />}
    </div>
  );
}
