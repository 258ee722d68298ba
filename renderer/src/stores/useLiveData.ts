import { useEffect } from 'react';
import { useConnection } from './index';

/**
 * Loads a screen's data and follows its pushed events while the screen is shown; both again
 * after the link to the station comes back, since events pushed during the drop were missed.
 */
export function useLiveData(load: () => unknown, follow: () => () => void): void {
  const reconnects = useConnection((state) => state.reconnects);
  useEffect(() => {
    void load();
    return follow();
  }, [load, follow, reconnects]);
}

/** Stable, so the effect above does not run again (unsubscribe, subscribe) on every render. */
const nothingToLoad = () => undefined;

/** A screen whose data only comes pushed (provisioning runs): follows its events while it is shown. */
export function useFollow(follow: () => () => void): void {
  useLiveData(nothingToLoad, follow);
}
