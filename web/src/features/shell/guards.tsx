/**
 * Route guards. The cabinet needs a signed-in account user; operators belong in the back-office and
 * account users never see it. A user sent to sign in comes back to the page they asked for.
 */
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import type { Permission } from '../../lib/types';
import { Loading } from '../../lib/ui';
import { ForbiddenPage } from './empty-section.page';
import { hasPermission, useMe, useSession } from './session';
import { shellTexts } from './shell.texts';

function SessionGate({ children }: { children: (signedIn: boolean) => ReactNode }) {
  const { state, reload } = useSession();
  const t = useTexts(commonTexts);
  const s = useTexts(shellTexts);
  if (state.status === 'loading') return <Loading label={t('loading')} />;
  if (state.status === 'failed') {
    return (
      <div className="public-main">
        <div className="alert alert-error" role="alert">
          {s('session.failed')} {state.message}
        </div>
        <button type="button" className="button" onClick={() => void reload()}>
          {s('session.retry')}
        </button>
      </div>
    );
  }
  return <>{children(state.status === 'signed_in')}</>;
}

export function RequireCabinet({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <SessionGate>
      {(signedIn) =>
        signedIn ? (
          <CabinetOnly>{children}</CabinetOnly>
        ) : (
          <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />
        )
      }
    </SessionGate>
  );
}

function CabinetOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  if (hasPermission(me, 'backoffice')) return <Navigate to="/backoffice" replace />;
  return <>{children}</>;
}

export function RequireOperator({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <SessionGate>
      {(signedIn) =>
        signedIn ? (
          <OperatorOnly>{children}</OperatorOnly>
        ) : (
          <Navigate to="/login" replace state={{ from: location.pathname }} />
        )
      }
    </SessionGate>
  );
}

function OperatorOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  if (!hasPermission(me, 'backoffice')) return <Navigate to="/cabinet" replace />;
  return <>{children}</>;
}

/** Inside the cabinet: a section the role may not open says so instead of failing on every request. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const me = useMe();
  return hasPermission(me, permission) ? <>{children}</> : <ForbiddenPage />;
}
