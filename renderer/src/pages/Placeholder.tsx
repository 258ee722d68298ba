import { useT } from '../i18n';

export function PlaceholderPage({ title }: { title: string }) {
  const t = useT();
  return (
    <section className="panel">
      <h1>{title}</h1>
      <p>{t('placeholder.body')}</p>
    </section>
  );
}
