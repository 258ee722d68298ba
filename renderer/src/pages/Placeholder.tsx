export function PlaceholderPage({ title }: { title: string }) {
  return (
    <section className="panel">
      <h1>{title}</h1>
      <p>This screen arrives with its capability.</p>
    </section>
  );
}
