import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Texts from the catalog: a class component cannot use the translation hook. */
  title: string;
  retry: string;
}

/** Safety net: a screen that throws shows its error instead of blanking the window. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('screen failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div role="alert" className="panel error">
          <h2>{this.props.title}</h2>
          <p>{this.state.error.message}</p>
          <button onClick={() => this.setState({ error: null })}>{this.props.retry}</button>
        </div>
      );
    }
    return this.props.children;
  }
}
