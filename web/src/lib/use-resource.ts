// Loads one GET resource for a page and lets the page replace it after a successful change.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from './api';

export type Resource<T> =
  { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; data: T };

export function useResource<T>(path: string) {
  const [resource, setResource] = useState<Resource<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    // A late answer for a previous path must not overwrite the current one.
    let current = true;
    setResource({ status: 'loading' });
    api.get<T>(path).then(
      (data) => current && setResource({ status: 'ready', data }),
      (error: unknown) => current && setResource({ status: 'failed', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [path, attempt]);

  const setData = useCallback((data: T) => setResource({ status: 'ready', data }), []);
  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  return { resource, setData, reload };
}
