import { useT } from '../i18n';
import { useConnection } from '../stores';

/** Says when the link to the station is not up; silent while it is. */
export function ConnectionBanner() {
  const t = useT();
  const state = useConnection((connection) => connection.state);
  return (
    <div className={`connection connection-${state}`} role="status" data-testid="connection" data-state={state}>
      {state !== 'open' && t(`connection.${state}`)}
    </div>
  );
}
